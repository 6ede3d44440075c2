"""Since the report: the verdicts follow the newest data, and the flags come from the figure tables.

Tests that edit a value work on a project copy; the edited numbers are made up to move a verdict,
named as such, and never reach data/raw.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor

import kfanalysis
from kfanalysis.figures import FIGURES, fig4_social_care, fig5_doctors, fig7_vacancies
from kfanalysis.since import VERDICTS


@pytest.fixture(scope="module")
def since() -> pl.DataFrame:
    return kfanalysis.since_report()


def _verdict(table: pl.DataFrame, figure: str) -> str:
    return str(table.filter(pl.col("figure") == figure)["verdict"][0])


def _set_value(editor: RawEditor, name: str, key: dict[str, str], column: str, value: str) -> None:
    """Replace one cell of a raw table in the project copy (a made-up value, for the test only)."""
    rows = editor.rows(name)
    header = rows[0]
    hits = [r for r in rows[1:] if all(r[header.index(k)] == v for k, v in key.items())]
    assert len(hits) == 1, f"expected one {name} row for {key}"
    hits[0][header.index(column)] = value
    editor.write_rows(name, rows)


def test_one_row_per_figure_with_a_known_verdict(since: pl.DataFrame) -> None:
    assert since["figure"].to_list() == [s.figure for s in FIGURES]
    assert set(since["verdict"]) <= set(VERDICTS)
    assert since.filter(pl.col("why") == "").height == 0
    # The top-level API is the same function the pipeline defines.
    assert "since_report" in kfanalysis.__all__


def test_figure_7_is_reversed_on_the_newest_data(since: pl.DataFrame) -> None:
    row = since.filter(pl.col("figure") == "fig7").row(0, named=True)
    table = fig7_vacancies.build()
    newest = table.filter(pl.col("vacancy_rate_pct").is_not_null()).sort("financial_year").row(-1, named=True)
    assert row["newest_period"] == newest["financial_year"] == "2024/25"
    assert row["newest_value"] == pytest.approx(7.0)
    assert row["report_value"] == pytest.approx(9.9)
    assert row["verdict"] == "reversed"
    # The newest rate comes from an edition with different coverage: flagged in the figure table and here.
    assert newest["is_edition_coverage_change"] is True
    assert row["is_series_break"] is True
    assert "coverage differs" in row["why"]


def test_editing_one_newest_value_changes_the_figure_7_verdict(project: Path) -> None:
    editor = RawEditor(project)
    assert _verdict(kfanalysis.since_report(project), "fig7") == "reversed"
    # Made up: a 2024/25 vacancy rate above 2022/23's, so the two rates now move the same way.
    _set_value(editor, "social_care_vacancies", {"financial_year": "2024/25"}, "vacancy_rate_pct", "11.0")
    assert _verdict(kfanalysis.since_report(project), "fig7") == "cannot tell"
    # Made up: unemployment for January-March 2025 below 2023's as well: the statement now holds.
    _set_value(editor, "unemployment_rate", {"financial_year": "2024/25"}, "unemployment_rate_pct", "3.5")
    assert _verdict(kfanalysis.since_report(project), "fig7") == "holds"


def test_figure_5_cannot_be_told_while_the_report_states_no_basis(project: Path) -> None:
    editor = RawEditor(project)
    row = kfanalysis.since_report(project).filter(pl.col("figure") == "fig5").row(0, named=True)
    assert row["verdict"] == "cannot tell"
    assert "no staff group, basis or starting level" in row["why"]
    assert "27,966" in row["why"] and row["newest_value"] == 27966
    # Made up: a far higher September 2024 count moves the newest value and the why, never the
    # verdict, since the report's 3,000 has no basis to set a count against.
    _set_value(editor, "doctors_workforce", {"snapshot_date": "2024-09-30"}, "staff_number", "32000")
    row = kfanalysis.since_report(project).filter(pl.col("figure") == "fig5").row(0, named=True)
    assert row["verdict"] == "cannot tell"
    assert row["newest_value"] == 32000 and "32,000" in row["why"]


def test_figure_4_flags_forecast_deflator_years_and_the_activity_break(since: pl.DataFrame) -> None:
    table = fig4_social_care.build()
    flags = {r["financial_year"]: r for r in table.iter_rows(named=True)}
    # The March 2023 deflator's outturn ends in 2021/22; every later year rests on forecasts.
    assert [y for y, r in flags.items() if r["is_deflator_forecast"]] == ["2022/23", "2023/24", "2024/25"]
    assert flags["2024/25"]["gce_cash_gbp_bn"] == pytest.approx(29.4)
    # 2024/25 activity comes from client level data: flagged, stated, and no count joined.
    assert flags["2024/25"]["is_activity_series_break"] is True
    assert "client level data" in flags["2024/25"]["series_note"]
    assert flags["2024/25"]["long_term_support_count"] is None
    assert not flags["2023/24"]["is_activity_series_break"]
    row = since.filter(pl.col("figure") == "fig4").row(0, named=True)
    assert row["is_forecast_deflator"] is True and row["is_series_break"] is True
    assert row["newest_period"] == "2024/25"
    # People supported are compared on the last SALT year, never across the break.
    assert "in 2023/24" in row["why"]


def test_figure_7_unemployment_continues_the_january_to_march_series() -> None:
    table = fig7_vacancies.build()
    rates = {r["financial_year"]: r["unemployment_rate_pct"] for r in table.iter_rows(named=True)}
    assert rates["2023/24"] == pytest.approx(4.3)
    assert rates["2024/25"] == pytest.approx(4.5)
    quarters = kfanalysis.load("unemployment_rate").filter(
        pl.col("financial_year").is_in(["2023/24", "2024/25"])
    )
    assert sorted(quarters["quarter"]) == ["2024 Jan-Mar", "2025 Jan-Mar"]


def test_figure_5_past_series_reaches_september_2024() -> None:
    row = fig5_doctors.row_of(fig5_doctors.build(), "fully qualified GPs", "since the report")
    assert row["end_number"] == pytest.approx(27966)
    assert row["period_label"].startswith("Sep 2021 to Sep 2024")


def test_figures_not_rebuilt_cannot_be_told_and_say_why(since: pl.DataFrame) -> None:
    row = since.filter(pl.col("figure") == "fig3").row(0, named=True)
    assert row["verdict"] == "cannot tell"
    # Figure 3 is built from the trust accounts, which are not in data/raw: the reason names the files
    # and the commands that bring them in.
    assert "trust accounts are not in data/raw" in row["why"]
    assert "kfanalysis ingest tac" in row["why"]
    assert row["headline"].startswith("Figure 3:")


def _dashed_positions(axes: object) -> list[float]:
    """x positions of the vertical dashed lines that mark a break in series."""
    return [
        float(line.get_xdata()[0])  # type: ignore[attr-defined]
        for line in axes.get_lines()  # type: ignore[attr-defined]
        if line.get_linestyle() == "--"
    ]


def test_charts_mark_the_breaks_and_forecast_years_the_tables_flag() -> None:
    table4 = fig4_social_care.build()
    years4 = table4["financial_year"].to_list()
    (axes,) = fig4_social_care.plot(table4).axes
    first_break = years4.index(table4.filter(pl.col("is_activity_series_break"))["financial_year"][0])
    assert _dashed_positions(axes) == [first_break - 0.5]
    labels = axes.get_legend_handles_labels()[1]
    assert any("forecast deflator" in label for label in labels)
    ringed = [c for c in axes.collections if "forecast deflator" in str(c.get_label())]
    assert len(ringed[0].get_offsets()) == table4["is_deflator_forecast"].fill_null(False).sum()

    table7 = fig7_vacancies.build()
    years7 = table7["financial_year"].to_list()
    left = fig7_vacancies.plot(table7).axes[0]
    changed = table7.filter(pl.col("is_edition_coverage_change"))["financial_year"][0]
    assert _dashed_positions(left) == [years7.index(changed) - 0.5]
