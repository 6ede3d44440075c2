"""`kfanalysis check` and `build` report every broken raw table at once, each distinct problem once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RawEditor

from kfanalysis.cli import main
from kfanalysis.errors import RawDataError
from kfanalysis.loader import load_all
from kfanalysis.paths import project_paths
from kfanalysis.pipeline import build
from kfanalysis.sources import refresh_checksums


def _break_two_tables(raw: RawEditor) -> None:
    """A word where a number belongs in one table, an empty key in another."""

    def word_for_number(rows: list[list[str]]) -> None:
        rows[3][rows[0].index("unemployment_rate_pct")] = "low"

    def empty_year(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("financial_year")] = ""

    raw.edit("unemployment_rate", word_for_number)
    raw.edit("gdp_deflator", empty_year)


def test_load_all_names_both_broken_tables(raw: RawEditor, project: Path) -> None:
    _break_two_tables(raw)
    with pytest.raises(RawDataError) as caught:
        load_all(project)
    message = str(caught.value)
    assert "data/raw/unemployment_rate.csv, line 4, column 'unemployment_rate_pct'" in message
    assert "'low' is not a number" in message
    assert "data/raw/gdp_deflator.csv, line 3, column 'financial_year'" in message
    assert "in 2 files" in message
    # Grouped by file: each file's heading, then its problems.
    assert "\ndata/raw/gdp_deflator.csv:\n- data/raw/gdp_deflator.csv" in message
    assert "\ndata/raw/unemployment_rate.csv:\n- data/raw/unemployment_rate.csv" in message


@pytest.mark.parametrize("command", ["check", "build"])
def test_cli_reports_both_broken_tables(
    raw: RawEditor, project: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    _break_two_tables(raw)
    assert main(["--root", str(project), command]) == 1
    err = capsys.readouterr().err
    assert "data/raw/unemployment_rate.csv" in err
    assert "data/raw/gdp_deflator.csv" in err
    assert "Traceback" not in err
    assert list((project / "data" / "processed").iterdir()) == []


def test_a_removed_source_is_one_message_listing_its_rows(raw: RawEditor, project: Path) -> None:
    sources = project / "data" / "raw" / "sources.toml"
    text = sources.read_text(encoding="utf-8")
    source_id = "ons_lfs_unemployment_mgsx"
    assert text.count(f'id = "{source_id}"') == 1
    sources.write_text(text.replace(f'id = "{source_id}"', 'id = "renamed_source"'), encoding="utf-8")
    refresh_checksums(project_paths(project))
    citing = [n for n, row in enumerate(raw.rows("unemployment_rate"), start=1) if source_id in row]
    assert len(citing) > 1, "the test needs a source cited by several rows"

    with pytest.raises(RawDataError) as caught:
        build(project, progress=None)
    message = str(caught.value)
    assert message.count(f"source_id '{source_id}' is not in data/raw/sources.toml") == 1
    assert message.count("Fix:") == 1
    assert f"lines {citing[0]}, {citing[1]}" in message
    # Every row is still there for code that reads the problems one by one.
    assert len(caught.value.problems) == len(citing)
