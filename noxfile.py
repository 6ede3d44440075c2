"""Sessions: tests, lint, book, reproduce. `nox -s reproduce` is the main job.

Every session installs the package with the pinned versions in
requirements/lock.txt, so outputs (down to chart bytes) match across machines.
Regenerate the lock after changing dependencies with:
    uv pip compile pyproject.toml --extra book --extra dev -o requirements/lock.txt --no-header
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
LOCK = "requirements/lock.txt"
BOOK_BUILD = ["jupyter-book", "build", "book", "-W", "-n", "--keep-going"]


def _install(session: nox.Session, extras: str) -> None:
    # Compile bytecode at install time: where PYTHONDONTWRITEBYTECODE is set, every import
    # would otherwise recompile polars, pandera and seaborn from source on each run.
    session.install("-c", LOCK, "-e", f".[{extras}]", env={"UV_COMPILE_BYTECODE": "1"})


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (unit, bad input, regression of every published number, book chapters)."""
    _install(session, "dev,book")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style (ruff) and types (mypy)."""
    _install(session, "dev")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src")
    session.run("mypy", "src")


@nox.session
def book(session: nox.Session) -> None:
    """Build the HTML book from fresh; any cell error or warning fails the build."""
    _install(session, "book")
    shutil.rmtree(ROOT / "book" / "_build", ignore_errors=True)
    session.run(*BOOK_BUILD)


@nox.session
def bench(session: nox.Session) -> None:
    """Print timing figures (import, build, book) as medians over several runs."""
    _install(session, "book")
    session.run("python", "benchmarks/bench.py", *session.posargs)


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
    """Rebuild data/processed, the ledger and the book; fail if any output differs from git."""
    _install(session, "book")
    session.run("kfanalysis", "build")
    shutil.rmtree(ROOT / "book" / "_build", ignore_errors=True)
    session.run(*BOOK_BUILD)
    if not (ROOT / ".git").exists():
        session.log("not a git checkout: skipped the comparison with committed outputs")
        return
    session.run("git", "diff", "--stat", "--exit-code", "--", "data/processed", external=True)
    untracked = session.run(
        "git", "ls-files", "--others", "--exclude-standard", "--", "data/processed",
        external=True, silent=True,
    )
    if untracked and untracked.strip():
        session.error(f"outputs not committed:\n{untracked}")
    session.log("data/processed matches the committed outputs; book in book/_build/html")
