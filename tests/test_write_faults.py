"""A failure while writing ends in one line and an exit code, and leaves the outputs as they were.

Each fault is injected by replacing one file operation; the real disk is never
filled or locked. Charts are drawn as placeholder bytes so that each test costs
one table build, not seven chart renderings: the writing path under test is the
real one.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REAL_RAW

import kfanalysis.pipeline as pipeline
import kfanalysis.write as write
from kfanalysis.cli import main
from kfanalysis.errors import os_error_line


@pytest.fixture(scope="module")
def built_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with data/processed built once, for real."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(REAL_RAW, root / "data" / "raw")
    pipeline.build(root, progress=None)
    return root


@pytest.fixture
def root(built_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the built project; charts drawn as placeholders from here on."""
    copy = tmp_path / "project"
    shutil.copytree(built_root, copy)
    for spec in pipeline.built_figures():
        monkeypatch.setattr(spec.load_module(), "plot", lambda _table, root=None: None)
    monkeypatch.setattr(pipeline, "png_bytes", lambda _figure: b"placeholder chart, made up for this test")
    return copy


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under ``folder``, hidden ones included."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def _fail_on_add(monkeypatch: pytest.MonkeyPatch, fault: BaseException, after: int = 3) -> None:
    """Make the staging of the (after+1)-th output file fail with ``fault``."""
    real_add = write.Staging.add
    calls = {"n": 0}

    def add(self: write.Staging, name: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            if isinstance(fault, OSError):
                fault.filename = str(self.folder / name)
            raise fault
        real_add(self, name, data)

    monkeypatch.setattr(write.Staging, "add", add)


def _fail_rename(monkeypatch: pytest.MonkeyPatch, nth: int, fault: Callable[[str], OSError]) -> None:
    """Make the nth rename into the output folder fail (a locked or read-only file)."""
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if calls["n"] == nth:
            raise fault(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", replace)


def _one_line(err: str) -> str:
    """The failure's message, which must be a single line after the build's progress lines."""
    lines = [x for x in err.strip().splitlines() if not re.match(r"\[\d+/\d+\] ", x)]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _no_staging_left(root: Path) -> None:
    assert not list((root / "data").glob(".staging-*"))


FAULTS: dict[str, tuple[BaseException, str]] = {
    "disk full": (OSError(errno.ENOSPC, "No space left on device"), "ENOSPC"),
    "file too large": (OSError(errno.EFBIG, "File too large"), "EFBIG"),
    "permission": (PermissionError(errno.EACCES, "Permission denied"), "EACCES"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_write_fault_is_one_line_and_changes_nothing(
    fault: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(root / "data" / "processed")
    exc, code = FAULTS[fault]
    _fail_on_add(monkeypatch, exc)
    assert main(["--root", str(root), "build"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("kfanalysis build: ")
    assert f"({code})" in line and "Fix: " in line
    assert ".staging-" in line  # the path that failed is named
    assert snapshot(root / "data" / "processed") == before
    _no_staging_left(root)


def test_a_full_disk_leaves_no_empty_target_folder(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail_on_add(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    out = tmp_path / "new" / "outputs"
    assert main(["--root", str(root), "build", "--out", str(out)]) == 1
    assert "ENOSPC" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "new").exists()


def test_ctrl_c_exits_130_with_one_line(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(root / "data" / "processed")
    _fail_on_add(monkeypatch, KeyboardInterrupt())
    assert main(["--root", str(root), "build"]) == 130
    assert "interrupted" in _one_line(capsys.readouterr().err)
    assert snapshot(root / "data" / "processed") == before
    _no_staging_left(root)


@pytest.mark.parametrize("nth", [1, 5, 15])
def test_a_rename_failing_part_way_puts_back_what_was_moved(
    nth: int, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    processed = root / "data" / "processed"
    before = snapshot(processed)
    assert len([n for n in before if "/" not in n]) >= nth
    _fail_rename(monkeypatch, nth, lambda path: PermissionError(errno.EACCES, "Permission denied", path))
    assert main(["--root", str(root), "build"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "data/processed/" in line and "EACCES" in line
    assert snapshot(processed) == before
    _no_staging_left(root)


def test_a_rename_failing_after_ctrl_c_still_puts_back(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    processed = root / "data" / "processed"
    before = snapshot(processed)
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", replace)
    assert main(["--root", str(root), "build"]) == 130
    _one_line(capsys.readouterr().err)
    assert snapshot(processed) == before


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_verify_fails_cleanly_too(
    fault: BaseException, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(root / "data" / "processed")
    _fail_on_add(monkeypatch, fault)
    code = main(["--root", str(root), "verify"])
    assert code == (130 if isinstance(fault, KeyboardInterrupt) else 1)
    err = capsys.readouterr().err
    assert _one_line(err).startswith("kfanalysis verify: ")
    assert snapshot(root / "data" / "processed") == before


def test_debug_shows_the_traceback(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail_on_add(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    assert main(["--root", str(root), "--debug", "build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("kfanalysis build: ")


def test_a_rename_names_both_paths() -> None:
    exc = OSError(errno.EXDEV, "Invalid cross-device link", "a/old.csv", None, "b/new.csv")
    line = os_error_line(exc)
    assert "a/old.csv -> b/new.csv" in line
    assert "EXDEV" in line and "Fix: " in line
