"""Which copy of the data is in use: a checkout or KFANALYSIS_ROOT wins, else the installed copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT

import kfanalysis
from kfanalysis import paths as paths_module
from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.pipeline import build


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of data/ standing in for the wheel's, with the working directory outside any checkout."""
    root = tmp_path / "site-packages" / "kfanalysis" / "_data"
    shutil.copytree(REPO_ROOT / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO_ROOT / "data" / "processed", root / "data" / "processed")
    monkeypatch.setattr(paths_module, "BUNDLED_ROOT", root.resolve())
    away = tmp_path / "notebooks"
    away.mkdir()
    monkeypatch.chdir(away)
    return root


def test_a_checkout_is_found_from_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT / "book")
    home = kfanalysis.data_home()
    assert (home.origin, home.root, home.read_only) == ("checkout", REPO_ROOT, False)
    assert home.manifest_sha256 is not None and len(home.manifest_sha256) == 64


def test_kfanalysis_root_wins_over_the_installed_copy(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KFANALYSIS_ROOT", str(REPO_ROOT))
    assert kfanalysis.data_home().origin == "KFANALYSIS_ROOT"


def test_the_installed_copy_reads_and_refuses_to_write(
    bundled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = kfanalysis.data_home()
    assert (home.origin, home.read_only) == ("bundled", True)
    assert kfanalysis.load("unemployment_rate").height > 0
    assert kfanalysis.outputs.read_table("fig7_vacancies").height > 0
    with pytest.raises(KfError, match=r"cannot rebuild data/processed.*\n  Fix: .*--out"):
        build(progress=None)
    assert main(["sources", "--refresh-checksums"]) == 1
    assert "cannot rewrite data/raw/SHA256SUMS" in capsys.readouterr().err


def test_version_names_the_copy_and_its_manifest(bundled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"kfanalysis {kfanalysis.__version__}\n")
    assert "read-only copy installed with the package" in out
    assert kfanalysis.data_home().manifest_sha256 in out


def test_the_installed_copy_is_checked_like_a_checkout(bundled: Path) -> None:
    target = bundled / "data" / "raw" / "unemployment_rate.csv"
    target.write_bytes(target.read_bytes() + b"\n")  # a made-up corruption of the installed copy
    with pytest.raises(KfError, match="unemployment_rate"):
        kfanalysis.load("unemployment_rate")
