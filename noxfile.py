"""Sessions: tests, lint, book, reproduce, shell. `nox -s reproduce` is the main job.

Every session installs the package with the pinned versions in
requirements/lock.txt, so every machine computes with the same libraries.
Outputs are compared by content within the tolerances declared in
kfanalysis.verify, because the BLAS kernels behind numpy differ by CPU.
Regenerate the lock after changing dependencies with:
    uv pip compile pyproject.toml --extra book --extra dev -o requirements/lock.txt --no-header
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent / "tools"))
from book_inputs import book_inputs_digest

nox.needs_version = ">=2024.10"
nox.options.default_venv_backend = "uv|virtualenv"
# Keep each session's environment between runs; _install reinstalls only when the pins change.
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
LOCK = "requirements/lock.txt"
# `jupyter-book build book -W -n --keep-going`, with pages executed in parallel (see the script).
BOOK_BUILD = ["python", "tools/build_book.py"]


def _install(session: nox.Session, extras: str) -> None:
    """Install the package and its pinned dependencies, unless this environment already has them.

    The environment records a hash of the lock, pyproject.toml and the extras it was
    installed with; an unchanged record skips the installer (the package itself is an
    editable install, so source edits need no reinstall).
    """
    digest = hashlib.sha256()
    for name in (LOCK, "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(extras.encode())
    venv = getattr(session.virtualenv, "location", None)
    stamp = Path(venv) / ".kfanalysis-installed" if venv else None
    if stamp is not None and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        session.log("pinned dependencies already installed (lock and pyproject.toml unchanged)")
        return
    # Compile bytecode at install time: where PYTHONDONTWRITEBYTECODE is set, every import
    # would otherwise recompile polars, pandera and seaborn from source on each run.
    session.install("-c", LOCK, "-e", f".[{extras}]", env={"UV_COMPILE_BYTECODE": "1"})
    if stamp is not None:
        stamp.write_text(digest.hexdigest())


def _build_book(session: nox.Session, *, reuse: bool) -> None:
    """Build the book from fresh, or keep it when ``reuse`` and none of its inputs changed."""
    stamp = ROOT / "book" / "_build" / ".inputs-sha256"
    digest = book_inputs_digest(ROOT)
    if reuse and stamp.is_file() and stamp.read_text() == digest:
        session.log("book/_build/html is up to date: no book page, package file or data file changed")
        return
    shutil.rmtree(ROOT / "book" / "_build", ignore_errors=True)
    session.run(*BOOK_BUILD)
    stamp.write_text(digest)


def _committed_copy(folder: str, into: Path) -> Path | None:
    """Write the files of ``folder`` as committed at HEAD into ``into``; None outside a git checkout."""

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout

    try:
        names = git("ls-tree", "--name-only", "HEAD", f"{folder}/").decode().split()
        target = into / folder
        target.mkdir(parents=True)
        for name in names:
            (target / Path(name).name).write_bytes(git("show", f"HEAD:{name}"))
    except (OSError, subprocess.CalledProcessError):
        return None
    return target


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (unit, bad input, regression of every published number, book chapters).

    The tests run on every core; the book is built once for all of them (see tests/conftest.py).
    """
    _install(session, "dev,book")
    from nox.virtualenv import find_uv

    has_uv, uv_path, *_ = find_uv()
    if has_uv:  # tests/test_installed.py installs the wheel with the same uv nox uses
        session.env.setdefault("KFANALYSIS_UV", uv_path)
    # On every core (pytest-xdist); `-- -n 0` after the session name runs in one process.
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style (ruff) and types (mypy)."""
    _install(session, "dev")
    session.run("ruff", "check", "src", "tests", "benchmarks", "tools", "noxfile.py")
    session.run("ruff", "format", "--check", "src")
    session.run("mypy", "src")


@nox.session
def book(session: nox.Session) -> None:
    """Build the HTML book from fresh; any cell error or warning fails the build."""
    _install(session, "book")
    _build_book(session, reuse=False)


@nox.session
def bench(session: nox.Session) -> None:
    """Print timing figures (import, build, cold book, warm reproduce) next to their targets."""
    _install(session, "book")
    session.run("python", "benchmarks/bench.py", *session.posargs, env={"KF_NOX_PYTHON": sys.executable})


@nox.session
def audit(session: nox.Session) -> None:
    """Download the official files (needs a network) and check every extract value against them.

    Arguments after `--` go to `kfanalysis audit`, e.g. `nox -s audit -- --from-dir DIR`.
    """
    # The package alone, pinned like the other sessions; the audit needs no extras.
    session.install("-c", LOCK, "-e", ".", env={"UV_COMPILE_BYTECODE": "1"})
    session.run("kfanalysis", "fetch")
    session.run("kfanalysis", "audit", *session.posargs)


@nox.session
def reproduce(session: nox.Session) -> None:
    """Rebuild every output and fail if it does not reproduce the committed ones; then the book.

    1. `kfanalysis verify` builds every table, chart and the ledger into a temporary folder and
       compares them with data/processed by content (tables value by value, charts as images,
       within the tolerances in kfanalysis.verify); data/processed itself is never written.
    2. In a git checkout, data/processed is compared the same way with its copy at HEAD, so an
       uncommitted edit there fails too.
    3. The book is built from the verified outputs, from fresh unless none of its inputs changed.
    """
    _install(session, "book")
    session.run("kfanalysis", "verify", "--diff-dir", "build/verify-diff")
    with tempfile.TemporaryDirectory() as tmp:
        committed = _committed_copy("data/processed", Path(tmp))
        if committed is None:
            session.log("not a git checkout: compared with data/processed as it is, not with git HEAD")
        else:
            session.run(
                "kfanalysis",
                "verify",
                "data/processed",
                "--against",
                str(committed),
                "--diff-dir",
                "build/verify-diff-head",
            )
    _build_book(session, reuse=True)
    session.log("every output reproduced within tolerance; book in book/_build/html")


@nox.session
def shell(session: nox.Session) -> None:
    """An environment for analysts: the package and Jupyter; prints how to use it.

    After it, `.nox/shell/bin/python` runs the README's "Use it" code, and
    `.nox/shell/bin/jupyter lab` would need JupyterLab installed separately.
    """
    _install(session, "book")
    bindir = Path(session.bin)
    session.log(f"ready: {bindir / 'python'} (import kfanalysis), {bindir / 'kfanalysis'} (the command line)")
