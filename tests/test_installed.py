"""The wheel carries its data: installed into a fresh environment, away from any checkout, it reads.

This builds the wheel, installs it with uv into a new virtual environment (from
uv's cache when it holds every pinned package, otherwise downloading them),
and runs the reading calls and commands there, from a folder outside the
repository with ``KFANALYSIS_ROOT`` unset. Writing commands must refuse, with
a fix, because the data they would write is the installed read-only copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.slow

SCRIPT = """
import polars as pl
import kfanalysis

home = kfanalysis.data_home()
assert home.origin == "bundled" and home.read_only, home
print(home.summary())
assert kfanalysis.catalog().filter(kind="raw").height > 0
assert kfanalysis.describe("fig7_vacancies").height > 0
cash = kfanalysis.load("asc_expenditure").filter(pl.col("price_basis") == "cash")
real = kfanalysis.to_real_terms(cash, "gross_current_expenditure_gbp_bn", allow_forecast=True)
assert "gross_current_expenditure_gbp_bn_real_2021_22" in real.columns
assert kfanalysis.outputs.read_table("fig7_vacancies").height > 0
ledger = kfanalysis.ledger()
assert ledger.height == kfanalysis.outputs.read_ledger().height
assert kfanalysis.provenance().height > 0
print("reading calls work")
"""


def _uv() -> str:
    uv = os.environ.get("KFANALYSIS_UV") or shutil.which("uv")
    if uv is None:
        candidate = Path(sys.executable).parent / "uv"
        uv = str(candidate) if candidate.exists() else None
    if uv is None:
        pytest.fail("uv not found: set KFANALYSIS_UV to it (nox -s tests does) or put it on PATH")
    return uv


#: Variables that would point a command at the test run's own environment or at a checkout; nox
#: sets UV_PYTHON to its session, so without this uv would install the wheel over the package under test.
_ENVIRONMENT_POINTERS = (
    "KFANALYSIS_ROOT",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "UV_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
    "UV_SYSTEM_PYTHON",
    "CONDA_PREFIX",
)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENVIRONMENT_POINTERS}
    env.update(extra)
    return env


def _uv_run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run uv offline first (its cache), then online if the cache lacks something."""
    for network in (["--offline"], []):
        result = subprocess.run(
            [_uv(), *args, *network],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode == 0:
            return
    raise AssertionError(f"uv {' '.join(args)} failed:\n{result.stderr[-3000:]}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the wheel, the new environment's bin folder, a working folder outside the repository)."""
    work = tmp_path_factory.mktemp("installed")
    assert REPO_ROOT not in work.parents
    dist = work / "dist"
    _uv_run(["build", "--wheel", "-o", str(dist), str(REPO_ROOT)], work, _clean_env())
    (wheel,) = dist.glob("kfanalysis-*.whl")
    venv = work / "venv"
    _uv_run(["venv", "--python", sys.executable, str(venv)], work, _clean_env())
    lock = str(REPO_ROOT / "requirements" / "lock.txt")
    python = str(venv / "bin" / "python")
    _uv_run(
        ["pip", "install", "--python", python, "-c", lock, str(wheel)],
        work,
        _clean_env(VIRTUAL_ENV=str(venv)),
    )
    away = work / "elsewhere"
    away.mkdir()
    return wheel, venv / "bin", away


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=600)


def test_reading_calls_work_from_the_installed_copy(installed: tuple[Path, Path, Path]) -> None:
    _, bin_dir, away = installed
    result = _run([str(bin_dir / "python"), "-c", SCRIPT], away)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "reading calls work" in result.stdout
    assert "read-only copy installed with the package" in result.stdout


def test_status_and_version_work_from_the_installed_copy(installed: tuple[Path, Path, Path]) -> None:
    _, bin_dir, away = installed
    status = _run([str(bin_dir / "kfanalysis"), "status"], away)
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("| Figure |")
    version = _run([str(bin_dir / "kfanalysis"), "--version"], away)
    assert version.returncode == 0, version.stderr
    assert re.search(
        r"read-only copy installed with the package .*manifest sha256 [0-9a-f]{64}", version.stdout
    )


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (["build"], "rebuild data/processed"),
        (["sources", "--refresh-checksums"], "rewrite data/raw/SHA256SUMS"),
    ],
)
def test_writing_commands_refuse_with_a_fix(
    installed: tuple[Path, Path, Path], command: list[str], what: str
) -> None:
    _, bin_dir, away = installed
    result = _run([str(bin_dir / "kfanalysis"), *command], away)
    assert result.returncode == 1
    assert f"cannot {what}" in result.stderr and "Fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_out_and_verify_work_on_the_installed_copy(installed: tuple[Path, Path, Path]) -> None:
    _, bin_dir, away = installed
    result = _run([str(bin_dir / "kfanalysis"), "build", "--out", str(away / "built")], away)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (away / "built" / "fig7_vacancies.csv").is_file()
    verify = _run([str(bin_dir / "kfanalysis"), "verify"], away)
    assert verify.returncode == 0, verify.stderr[-3000:]
    assert "outputs reproduced" in verify.stdout


def test_the_readme_states_the_wheel_size(installed: tuple[Path, Path, Path]) -> None:
    wheel, _, _ = installed
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"the wheel is about (\d+(?:\.\d+)?) MB", readme)
    assert stated, "README.md does not state the wheel's size"
    megabytes = wheel.stat().st_size / 1e6
    assert abs(megabytes - float(stated.group(1))) <= 0.5, f"the wheel is {megabytes:.2f} MB"
