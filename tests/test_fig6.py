"""Figure 6: nurses and health visitors, the past ten years, and what is stated about the next."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor

import kfanalysis.figures.fig6_nurses as fig6
from kfanalysis.errors import FigureInputError
from kfanalysis.published import Missing


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig6.build(project)


def _raw(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "data" / "raw" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _headcount(project: Path, day: str) -> float:
    (row,) = [r for r in _raw(project, "nurses_workforce") if r["snapshot_date"] == day]
    return float(row["staff_number"])


def test_series_is_every_september_from_2012_in_the_file(project: Path, table: pl.DataFrame) -> None:
    rows = fig6.series(table)
    septembers = sorted(r["snapshot_date"] for r in _raw(project, "nurses_workforce"))
    assert rows["snapshot_date"].to_list() == septembers
    assert rows["snapshot_date"][0] == "2012-09-30"
    assert set(rows["value_unit"]) == {"headcount"}
    assert rows["years_from_start"].to_list() == [float(i) for i in range(len(septembers))]


def test_growth_is_worked_out_from_the_first_and_last_september(project: Path, table: pl.DataFrame) -> None:
    start, end = _headcount(project, "2012-09-30"), _headcount(project, "2021-09-30")
    growth = fig6.past_growth(table)
    assert (growth.first, growth.last, growth.years) == ("Sep 2012", "Sep 2021", 9.0)
    assert growth.growth_pct == pytest.approx(100 * (end / start - 1))
    assert growth.annual_growth_pct == pytest.approx(100 * ((end / start) ** (1 / 9) - 1))


def test_fit_uses_every_september_and_its_interval_contains_the_estimate(
    project: Path, table: pl.DataFrame
) -> None:
    import numpy as np

    days = sorted(r["snapshot_date"] for r in _raw(project, "nurses_workforce"))
    x = np.arange(len(days), dtype=float)
    y = np.log([_headcount(project, d) for d in days])
    slope = np.polyfit(x, y, 1)[0]  # least squares by another route than statsmodels
    fit = fig6.past_growth(table).fit
    assert fit.n == len(days)
    assert fit.annual_growth_pct == pytest.approx(100 * (math.exp(slope) - 1))
    assert fit.ci_low_pct < fit.annual_growth_pct < fit.ci_high_pct


def test_editing_the_last_september_moves_the_growth_by_the_hand_computed_amount(
    raw: RawEditor, project: Path
) -> None:
    def change(rows: list[list[str]]) -> None:
        for r in rows:
            if r[0] == "2021-09-30":
                r[3] = "366999"

    raw.edit("nurses_workforce", change)
    growth = fig6.past_growth(fig6.build(project))
    # 305,846 to 366,999 over nine years: (366,999 / 305,846) ** (1/9) - 1 = 2.0460...% a year.
    assert growth.end == 366999
    assert growth.annual_growth_pct == pytest.approx(2.04595, abs=1e-4)


def test_a_september_2022_row_is_taken_up_and_one_outside_the_window_is_not(
    raw: RawEditor, project: Path
) -> None:
    def add(rows: list[list[str]]) -> None:
        template = rows[-1]
        rows.append(["2022-09-30", *template[1:3], "360000", *template[4:]])
        rows.append(["2011-09-30", *template[1:3], "313379", *template[4:]])

    raw.edit("nurses_workforce", add)
    growth = fig6.past_growth(fig6.build(project))
    assert (growth.first, growth.last, growth.years) == ("Sep 2012", "Sep 2022", 10.0)
    assert growth.annual_growth_pct == pytest.approx(100 * ((360000 / 305846) ** 0.1 - 1))


def test_missing_start_stops_the_build(raw: RawEditor, project: Path) -> None:
    raw.edit(
        "nurses_workforce",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "2012-09-30"]),
    )
    with pytest.raises(FigureInputError, match="2012-09-30"):
        fig6.build(project)


def test_statements_are_shown_as_published_and_kept_out_of_the_series(
    project: Path, table: pl.DataFrame
) -> None:
    published = {r["statement_id"]: r for r in _raw(project, "workforce_statements")}
    shown = fig6.statements(table)
    assert shown.height == len(published)
    assert sorted(shown["value"].to_list()) == sorted(float(r["stated_value"]) for r in published.values())
    # The four cross-checks the dossier cites, with their qualifiers.
    by_value = {r["value"]: r for r in shown.iter_rows(named=True)}
    assert by_value[-5.0]["qualifier"] == "at least" and by_value[-5.0]["period_label"] == "2009 to 2023"
    assert by_value[-20.0]["qualifier"] == "nearly" and by_value[-20.0]["period_label"] == "2019 to 2023"
    # The release gives no unit: the chart shows FTE as our reading, never as the release's word.
    assert by_value[300904.0]["value_unit"] == "FTE (unit not stated; our reading)"
    assert by_value[66969.0]["period_label"] == "June 2014"
    assert shown["snapshot_date"].null_count() == shown.height  # no statement is a point of the series
    assert fig6.series(table).height == len(_raw(project, "nurses_workforce"))


def test_the_reports_nine_thousand_is_its_statement_and_stays_missing(
    raw: RawEditor, project: Path, table: pl.DataFrame
) -> None:
    (report,) = table.filter(pl.col("evidence") == "report's own statement").iter_rows(named=True)
    (claim,) = [r for r in _raw(project, "published_numbers") if r["claim_id"] == fig6.NURSE_STATEMENT_CLAIM]
    assert report["value"] == float(claim["published_value"])
    assert report["source_id"] == fig6.REPORT_SOURCE
    results = fig6.claims(table)
    assert all(isinstance(r, Missing) for r in results.values())
    assert "care setting" in results[fig6.NURSE_STATEMENT_CLAIM].missing_input
    for key in (
        "fig6_ltwp_primary_care_growth_pa",
        "fig6_ltwp_community_growth_pa",
        "fig6_ltwp_acute_growth_pa",
    ):
        assert "Long Term Workforce Plan" in results[key].missing_input


def test_plot_names_its_basis_and_what_is_missing(table: pl.DataFrame) -> None:
    figure = fig6.plot(table)
    past, future, notes = figure.axes
    assert "headcount" in past.get_title() and "Sep 2012 to Sep 2021" in past.get_title()
    (line,) = past.lines
    assert len(line.get_xdata()) == fig6.series(table).height
    words = " ".join(t.get_text() for t in future.texts)
    assert "report's statement" in words and "not found" in words
    assert notes.tables, "the official statements are drawn as a table beside the chart"
    # The right panel holds a five-year statement: its title gives that span, never "ten years".
    assert "2021/22 to 2026/27" in future.get_title() and "5 years" in future.get_title()
    assert not future.get_title().lower().startswith("next ten")
