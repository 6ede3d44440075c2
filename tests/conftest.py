"""Shared fixtures: a throw-away copy of the project's raw data, and tools to break it.

Every test that edits a raw file works on a copy under ``tmp_path``; the real
``data/raw`` is only ever read.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from shared_required import pytest_runtest_makereport  # noqa: F401 (registers the KF_REQUIRE_SHARED hook)

from kfanalysis.fields import TABLES
from kfanalysis.paths import ENV_VAR, project_paths
from kfanalysis.sources import refresh_checksums

#: The checkout this test suite belongs to.
REPO_ROOT = Path(__file__).resolve().parents[1]
# The book's input fingerprint (tools/book_inputs.py) is shared with the noxfile.
sys.path.insert(0, str(REPO_ROOT / "tools"))
REAL_RAW = REPO_ROOT / "data" / "raw"
#: The raw tables that ``kfanalysis.load`` reads.
#: Every raw table the field dictionary declares, so a new table is covered without editing tests.
RAW_TABLES = tuple(name for name, spec in TABLES.items() if spec.is_raw)


#: Marker of a test that reads this checkout's built outputs (data/processed) as they are.
OUTPUTS_MARKER = "outputs"


@functools.cache
def stale_outputs() -> str | None:
    """Why this checkout's data/processed does not follow from its data/raw; None when it does."""
    from kfanalysis.outputs import stale_reason

    return stale_reason(REPO_ROOT)


def _reads_outputs(item: pytest.Item) -> bool:
    """Whether a test reads data/processed: marked so, or builds the book, which is made from it."""
    markers = (OUTPUTS_MARKER, "book", "browser")
    return any(item.get_closest_marker(m) for m in markers) or "built_book" in getattr(
        item, "fixturenames", ()
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{OUTPUTS_MARKER}: reads the built outputs in data/processed (skipped when they are stale)",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say first, in one line, that the outputs are stale, rather than let each test fail on it."""
    reason = stale_outputs()
    if reason is None:
        return
    line = (
        f"kfanalysis: {reason}; run `kfanalysis build` first. "
        "Tests that read data/processed or build the book are skipped."
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line, yellow=True, bold=True)


def _skip_when_stale(items: list[pytest.Item]) -> bool:
    """Skip every test that reads the outputs when they are stale; whether they are."""
    reason = stale_outputs()
    if reason is None:
        return False
    skip = pytest.mark.skip(reason="data/processed is stale: run `kfanalysis build` (see the first line)")
    for item in items:
        if _reads_outputs(item):
            item.add_marker(skip)
    return True


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


#: Books built by the tests, one folder per fingerprint of the book's inputs (git-ignored).
BOOK_CACHE = REPO_ROOT / "book" / "_build" / "tested"
#: This test run, the same in every test process of it (pytest-xdist names the run for its workers).
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
_builds: list[subprocess.Popen[str]] = []


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start building the book at once, in the background, and run the tests that need it last.

    The other tests run meanwhile, on every core, so the build's single-process stretches
    leave no core idle. Runs after pytest has deselected tests (``-m``, ``-k``), so no book is
    built for a run that needs none; only one test process starts it. The order is the same
    in every test process, as pytest-xdist requires.
    """
    stale = _skip_when_stale(items)  # stale outputs: say so once and build no book from them
    items.sort(key=lambda item: item.get_closest_marker("book") is not None)
    wanted = (
        not stale
        and any(item.get_closest_marker("book") for item in items)
        and not config.option.collectonly
    )
    if wanted and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0" and _can_build_book():
        threading.Thread(target=built_book_folder, name="book build", daemon=True).start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop a book build still running when the run ends early (a first failure with ``-x``)."""
    for build in _builds:
        if build.poll() is None:
            build.kill()


def _can_build_book() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyter_book") is not None


def _build_book_into(target: Path) -> None:
    """Build the book from fresh into ``target`` (its ``_build/html``) as `nox -s book` does.

    The build runs in a staging folder beside ``target`` and is renamed into place only
    when it succeeded, so a half-built book is never taken for a built one.
    """
    staging = target.with_name(target.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    build = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "tools" / "build_book.py"), "--path-output", str(staging)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT,
    )
    _builds.append(build)
    log, _ = build.communicate()
    if build.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"exit {build.returncode}\n{log[-8000:]}")
    for old in BOOK_CACHE.glob("*"):
        if old != staging:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
    staging.rename(target)


def built_book_folder() -> tuple[Path, str | None]:
    """Build the book, or wait for the build another test process or thread holds; its HTML, any failure.

    One build for every test process of a run: the builder holds a file lock, the others wait
    for it and take the result. The build is kept under ``book/_build/tested/<fingerprint>``
    and reused while no input changes (every book page, the package, the tools, the data, the
    pins and the Python version go into the fingerprint), because the same inputs build the
    same book. A failed build is recorded for the run, so it is reported, not built again.
    """
    from book_inputs import book_inputs_digest
    from filelock import FileLock

    digest = book_inputs_digest(REPO_ROOT)
    target = BOOK_CACHE / digest
    html = target / "_build" / "html"
    failed = BOOK_CACHE / f"failed-{RUN_ID}-{digest[:16]}.log"
    BOOK_CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(BOOK_CACHE) + ".lock"):
        if failed.is_file():
            return html, failed.read_text(encoding="utf-8")
        if not html.is_dir():
            try:
                _build_book_into(target)
            except RuntimeError as error:
                failed.write_text(str(error), encoding="utf-8")
                return html, str(error)
    return html, None


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book built from fresh with warnings as errors, once for the whole run; its HTML folder."""
    if not _can_build_book():
        pytest.skip("jupyter-book is not installed (install the 'book' extra)")
    html, failure = built_book_folder()
    if failure is not None:
        pytest.fail(f"the book did not build:\n{failure}")
    return html
