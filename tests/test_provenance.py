"""From a value to its publisher, and from an edit to a reviewed checksum.

Covers load(with_sources=True), ``kfanalysis sources ID``, a closed pipe, and the row
review that ``--refresh-checksums`` prints before it trusts an edited file.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest
from conftest import REAL_RAW, REPO_ROOT, RawEditor

from kfanalysis.cli import main
from kfanalysis.loader import load


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def committed(project: Path) -> Path:
    """The project copy as a git repository with its raw data committed."""
    _git(project, "init", "-q")
    _git(project, "add", "data/raw")
    _git(project, "commit", "-q", "-m", "raw")
    return project


def test_load_with_sources_adds_publisher_title_edition_url(project: Path) -> None:
    plain = load("asc_expenditure", project)
    traced = load("asc_expenditure", project, with_sources=True)
    assert traced.columns == [
        *plain.columns,
        "source_publisher",
        "source_title",
        "source_edition",
        "source_url",
    ]
    assert traced.select(plain.columns).equals(plain)  # same rows, same order
    with (REAL_RAW / "sources.toml").open("rb") as fh:
        registry = {s["id"]: s for s in tomllib.load(fh)["source"]}
    for row in traced.iter_rows(named=True):
        source = registry[row["source_id"]]
        assert (row["source_publisher"], row["source_title"], row["source_edition"], row["source_url"]) == (
            source["publisher"],
            source["title"],
            source["edition"],
            source["url"],
        )
        assert row["locator"]


def test_sources_id_shows_the_source_and_the_rows_citing_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(project), "sources", "hmt_gdp_deflator_2023_06_qna"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("hmt_gdp_deflator_2023_06_qna\n  HM Treasury, GDP deflators at market prices")
    assert "gdp_deflator_2023_06.csv: 23 row(s)" in out
    assert "cells C75 ('2022-23 = 100')" in out
    assert "gdp_deflator.csv:" not in out  # the March edition's rows cite another source


def test_sources_with_an_unknown_id_suggests_the_nearest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(project), "sources", "hmt_gdp_deflator_2023_6_qna"]) == 1
    err = capsys.readouterr().err
    assert (
        "no source 'hmt_gdp_deflator_2023_6_qna'" in err
        and "did you mean hmt_gdp_deflator_2023_06_qna" in err
    )


def test_a_closed_pipe_ends_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kfanalysis", "--root", str(REPO_ROOT), "sources"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before anything is written, as `| head` does early
    err = process.stderr.read().decode()
    assert process.wait() == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_refresh_lists_rows_added_removed_changed_and_warns_on_coverage(
    committed: Path, raw: RawEditor, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = raw.rows("asc_expenditure")
    header = rows[0]
    year, value = header.index("financial_year"), header.index("gross_current_expenditure_gbp_bn")
    source = header.index("source_id")
    latest = next(r for r in rows[1:] if r[source] == "nhse_ascfr_2023_24" and r[year] == "2023/24")
    made_up = list(latest)
    made_up[year] = "2024/25"  # a year the cited 2023-24 release cannot hold
    removed = rows[1]
    rows.remove(removed)
    old_value = latest[value]
    latest[value] = "27.07"
    rows.append(made_up)
    raw.write_rows("asc_expenditure", rows, refresh=False)

    assert main(["--root", str(committed), "sources", "--refresh-checksums"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == (
        "asc_expenditure.csv: 1 row(s) added, 1 removed, 1 changed; 2 line(s) added, 2 removed "
        "(against the version last hashed, as committed)"
    )
    assert "  + financial_year=2024/25, price_basis=cash, source_id=nhse_ascfr_2023_24" in lines
    assert (
        f"  - financial_year={removed[year]}, price_basis={removed[1]}, source_id={removed[source]}" in lines
    )
    assert (
        "  ~ financial_year=2023/24, price_basis=cash, source_id=nhse_ascfr_2023_24: "
        f"gross_current_expenditure_gbp_bn '{old_value}' -> '27.07'"
    ) in lines
    assert any(line.startswith("updated asc_expenditure.csv: ") for line in lines)
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "year 2024/25 cites nhse_ascfr_2023_24" in warnings[0] and "covers ... to 2023/24" in warnings[0]


def test_the_real_data_has_no_row_outside_its_editions_coverage() -> None:
    from kfanalysis.paths import project_paths
    from kfanalysis.review import coverage_warnings
    from kfanalysis.sources import read_sources

    paths = project_paths(REPO_ROOT)
    assert coverage_warnings(paths, read_sources(paths)) == []


def test_declared_coverage_is_a_financial_year(project: Path, raw: RawEditor) -> None:
    from kfanalysis.errors import RawDataError
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources, refresh_checksums

    toml = project / "data" / "raw" / "sources.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('covers_to = "2023/24"', 'covers_to = "2023-24"', 1), encoding="utf-8")
    refresh_checksums(project_paths(project))
    with pytest.raises(RawDataError, match="covers_to '2023-24' is not a financial year"):
        read_sources(project_paths(project))


def test_load_with_sources_keeps_dtypes(project: Path) -> None:
    traced = load("gdp_deflator", project, with_sources=True)
    assert traced.schema["gdp_deflator_index"] == pl.Float64
    assert traced.schema["source_url"] == pl.String


def test_a_value_read_in_an_archived_copy_gives_its_address_or_says_it_was_not_recorded() -> None:
    # A row read in an archived copy must be re-findable: the archive's address in read_at, or a
    # note saying plainly that the address was not recorded and the value cannot be re-found.
    import csv

    for path in sorted(REAL_RAW.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                note = (row.get("note") or "").lower()
                if "archived copy" not in note:
                    continue
                read_at = row.get("read_at") or ""
                assert "archive" in read_at or "not recorded" in note, (
                    f"{path.name} line {line}: read in an archived copy, but neither the archive's "
                    "address nor 'not recorded' is given"
                )
