"""The README's "Adding or updating a source", followed step by step on a scratch copy, ends green.

A new edition arrives each year, often with one measure before another. This test
adds a source and a new year's rows to a copy of the project, in two rounds (first
council spending alone, then people supported too), and runs the README's steps in
its order: refresh the checksums, check, build, verify, then the tests that depend
on the data. Before the build, the test run must say in its first line that the
outputs are stale and skip what reads them.

Every value added here is MADE UP for this test, cites a source whose title says so,
and lives only in the scratch copy under ``tmp_path``: none of it reaches data/raw,
data/processed or the book.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kfanalysis.cli import main

MADE_UP_SOURCE = """
[[source]]
id = "made_up_ascfr_2025_26"
title = "MADE-UP TEST SOURCE: not a real publication"
publisher = "Nobody (made up for a test)"
edition = "2025-26 (made up)"
date_published = "2026-10"
url = "https://example.org/made-up-for-a-test"
licence = "Open Government Licence v3.0"
date_accessed = "2026-10-30"
covers_to = "2025/26"
note = "Made up to exercise the workflow of adding a year; never a real figure."
"""
#: Made-up 2025/26 rows: spending first, then people supported.
MADE_UP_SPENDING = '2025/26,cash,28.00,2,made_up_ascfr_2025_26,"made-up value for a test",,\n'
MADE_UP_SUPPORTED = (
    '2025/26,long-term support during the year,860000,0,made_up_ascfr_2025_26,"made-up value for a test",,\n'
)
#: The tests that read the raw data or the outputs built from it.
DATA_TESTS = (
    "tests/test_fig4.py",
    "tests/test_ledger.py",
    "tests/test_ledger_view.py",
    "tests/test_readme.py",
    "tests/test_charts.py",
)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of this checkout's data, tests and README, in its own git repository when git is there."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO_ROOT / "data", root / "data", ignore=shutil.ignore_patterns(".staging-*"))
    shutil.copytree(REPO_ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(REPO_ROOT / name, root / name)
    if shutil.which("git"):
        git = ["git", "-C", str(root), "-c", "user.name=test", "-c", "user.email=test@example.org"]
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "scratch copy"]):
            subprocess.run([*git, *step], check=True, capture_output=True)
    return root


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _kfanalysis(root: Path, *args: str) -> None:
    assert main(["--root", str(root), *args]) == 0, args


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KFANALYSIS_ROOT", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not book and not browser",
            *args,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _readme_steps(root: Path, edited: str | None) -> None:
    """Steps 3 to 6 of the README: refresh, check, build, verify, then the data's tests.

    Args:
        root: The scratch copy.
        edited: A raw file just edited: check, before the build, that a test run names it in
            its first line and skips what reads the outputs (None: not checked this round).
    """
    _kfanalysis(root, "sources", "--refresh-checksums")
    _kfanalysis(root, "check")
    if edited is not None:
        _stale_outputs_said_once(root, edited)
    _kfanalysis(root, "build")
    _kfanalysis(root, "verify")
    fresh = _pytest(root, *DATA_TESTS, "-rs")
    assert fresh.returncode == 0, fresh.stdout[-3000:]
    assert "kfanalysis build` first" not in fresh.stdout
    assert "data/processed is stale" not in fresh.stdout


def _stale_outputs_said_once(root: Path, edited: str) -> None:
    stale = _pytest(root, "tests/test_ledger_view.py", "-rs")
    assert stale.returncode == 0, stale.stdout[-3000:]
    first = stale.stdout.splitlines()[0]
    assert "run `kfanalysis build` first" in first and edited in first, stale.stdout[:500]
    assert stale.stdout.count("run `kfanalysis build` first") == 1
    assert "1 skipped" in stale.stdout


def _row_2025_26(root: Path) -> dict[str, str]:
    with (root / "data" / "processed" / "fig4_social_care.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["financial_year"] == "2025/26"]
    return row


def test_adding_a_year_ends_green_one_measure_then_both(scratch: Path) -> None:
    raw = scratch / "data" / "raw"
    _append(raw / "sources.toml", MADE_UP_SOURCE)
    _append(raw / "asc_expenditure.csv", MADE_UP_SPENDING)
    _readme_steps(scratch, "asc_expenditure.csv")
    row = _row_2025_26(scratch)
    assert (row["gce_cash_gbp_bn"], row["long_term_support_count"]) == ("28.0", "")

    _append(raw / "asc_activity.csv", MADE_UP_SUPPORTED)
    _readme_steps(scratch, None)
    row = _row_2025_26(scratch)
    # Counts from 2024/25 on come from client level data, a new series: the year's count is held in
    # data/raw but not joined to the SALT years, and the table flags the break instead.
    assert (row["gce_cash_gbp_bn"], row["long_term_support_count"]) == ("28.0", "")
    assert row["is_activity_series_break"] == "true"
    assert row["requests_count"] == ""
    # The real project was only read.
    assert "made_up" not in (REPO_ROOT / "data" / "raw" / "sources.toml").read_text(encoding="utf-8")
