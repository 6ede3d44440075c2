"""Shared fixtures: a throw-away copy of the project's raw data, and tools to break it.

Every test that edits a raw file works on a copy under ``tmp_path``; the real
``data/raw`` is only ever read.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from shared_required import pytest_runtest_makereport  # noqa: F401 (registers the KF_REQUIRE_SHARED hook)

from kfanalysis.fields import TABLES
from kfanalysis.paths import ENV_VAR, project_paths
from kfanalysis.sources import refresh_checksums

#: The checkout this test suite belongs to.
REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_RAW = REPO_ROOT / "data" / "raw"
#: The raw tables that ``kfanalysis.load`` reads.
#: Every raw table the field dictionary declares, so a new table is covered without editing tests.
RAW_TABLES = tuple(name for name, spec in TABLES.items() if spec.is_raw)


@pytest.fixture(autouse=True)
def _no_root_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may find its project through a KFANALYSIS_ROOT left in the shell."""
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's data/raw in a fresh root, with an empty data/processed."""
    root = tmp_path / "project"
    shutil.copytree(REAL_RAW, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    return root


def raw_path(root: Path, name: str) -> Path:
    """Path of a raw table's CSV in a project."""
    return root / "data" / "raw" / f"{name}.csv"


def read_rows(root: Path, name: str) -> list[list[str]]:
    """A raw table as a list of rows (the header first), every cell as text."""
    text = raw_path(root, name).read_text(encoding="utf-8")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def rows_to_bytes(rows: list[list[str]]) -> bytes:
    """Serialise rows as the raw files are written: minimal quoting, LF line ends, UTF-8."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


class RawEditor:
    """Edits the raw files of one project copy, re-hashing them so loads reach the schema stage."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def rows(self, name: str) -> list[list[str]]:
        """The table's rows, header first."""
        return read_rows(self.root, name)

    def write_rows(self, name: str, rows: list[list[str]], refresh: bool = True) -> dict[str, str]:
        """Replace a table with ``rows``; return what refresh_checksums reports."""
        return self.write_bytes(name, rows_to_bytes(rows), refresh=refresh)

    def write_bytes(self, name: str, data: bytes, refresh: bool = True) -> dict[str, str]:
        """Replace a table's bytes; return what refresh_checksums reports (empty if not refreshed)."""
        raw_path(self.root, name).write_bytes(data)
        return refresh_checksums(project_paths(self.root)) if refresh else {}

    def edit(self, name: str, change: Callable[[list[list[str]]], None], refresh: bool = True) -> None:
        """Apply ``change`` to the table's rows in place and write them back."""
        rows = self.rows(name)
        change(rows)
        self.write_rows(name, rows, refresh=refresh)


@pytest.fixture
def raw(project: Path) -> RawEditor:
    """An editor for the raw files of the ``project`` copy."""
    return RawEditor(project)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the book once per test session, from fresh, with warnings as errors; return its HTML folder."""
    import subprocess
    import sys

    jupyter_book = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
    if not Path(jupyter_book).exists():
        pytest.skip("jupyter-book is not installed (install the 'book' extra)")
    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [jupyter_book, "build", str(root / "book"), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=root, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out / "_build" / "html"
