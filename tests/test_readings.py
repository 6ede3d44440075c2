"""Every raw value with its source and the kind of place it was read at, in one call and one command."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import polars as pl
import pytest
from conftest import REPO_ROOT, RawEditor

import kfanalysis
from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.fields import READING_KINDS
from kfanalysis.readings import counts_by_kind


def test_every_value_is_classified_and_compilations_are_marked() -> None:
    readings = kfanalysis.provenance(REPO_ROOT)
    assert set(readings["reading_kind"]) <= set(READING_KINDS)
    assert readings.filter(pl.col("source_id").is_null()).height == 0
    # The Health Foundation's sums of official monthly files are compilations, not copies.
    hf = readings.filter(pl.col("read_at").str.contains("HFAnalyticsLab/open_data"))
    assert hf.height > 0
    assert hf["reading_kind"].unique().to_list() == ["third-party compilation"]
    # A value with no read_at was read in the publication itself.
    assert set(readings.filter(pl.col("read_at").is_null())["reading_kind"]) == {"publication itself"}
    commits = readings.filter(pl.col("read_at").str.contains("GitHub iris-mingyudai"))
    assert commits["reading_kind"].unique().to_list() == ["copy of the official file"]


def test_filter_by_kind_and_counts_add_up() -> None:
    readings = kfanalysis.provenance(REPO_ROOT)
    counts = counts_by_kind(readings)
    assert counts["reading_kind"].to_list() == list(READING_KINDS)
    assert counts["values"].sum() == readings.height
    press = kfanalysis.provenance(REPO_ROOT, kind="press or trade report")
    assert press.height == counts.filter(reading_kind="press or trade report")["values"].item()
    with pytest.raises(KfError, match="no kind of reading"):
        kfanalysis.provenance(REPO_ROOT, kind="rumour")


def test_an_unclassified_place_is_an_error_naming_the_row(project: Path, raw: RawEditor) -> None:
    def new_place(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("read_at")] = "https://example.org/made-up-page"

    raw.edit("unemployment_rate", new_place)
    with pytest.raises(KfError, match=r"unemployment_rate\.csv, line 2") as caught:
        kfanalysis.provenance(project)
    assert "reading_places.csv" in str(caught.value)


def test_sources_readings_prints_the_counts_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(REPO_ROOT), "sources", "--readings"]) == 0
    out = capsys.readouterr().out
    counts = counts_by_kind(kfanalysis.provenance(REPO_ROOT))
    for kind, count in counts.iter_rows():
        assert f"{count:>5}  {kind}" in out


def test_every_column_is_defined_once() -> None:
    # One definition per column, so describe() gives one meaning that holds for every table using it.
    tree = ast.parse((REPO_ROOT / "src" / "kfanalysis" / "fields.py").read_text(encoding="utf-8"))
    names = collections.Counter(
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) in ("Field", "_financial_year")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    )
    assert [n for n, c in names.items() if c > 1] == []


@pytest.mark.parametrize("table", ["asc_activity", "nhs_activity"])
def test_activity_count_means_what_each_table_counts(table: str) -> None:
    meaning = kfanalysis.describe(table).filter(column="activity_count")["meaning"].item()
    assert table in meaning and "requests" in meaning and "appointments" in meaning
    read_at = kfanalysis.describe(table).filter(column="read_at")["meaning"].item()
    assert "commit" in read_at


def test_a_bad_classification_of_places_is_refused_with_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kfanalysis import readings

    # Made up for this test: one place listed twice and one kind that does not exist.
    bad = tmp_path / "reading_places.csv"
    bad.write_text(
        "place,reading_kind,what\n"
        "https://example.org/,press or trade report,made up\n"
        "https://example.org/,press or trade report,made up again\n"
        "https://example.net/,rumour,made up\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(readings, "PLACES_FILE", bad)
    with pytest.raises(KfError) as caught:
        readings.reading_places()
    message = str(caught.value)
    assert "line 3: place 'https://example.org/' is listed more than once" in message
    assert "line 4: kind 'rumour'" in message
