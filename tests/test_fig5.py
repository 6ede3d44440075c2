"""Figure 5: doctors' past growth against the workforce plan."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor

import kfanalysis.figures.fig5_doctors as fig5
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.published import Computed, Missing
from kfanalysis.trends import annual_growth_pct, fit_annual_growth


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig5.build(project)


PAST, NEXT, PLAN = fig5.PANELS[:3]


def _row(table: pl.DataFrame, group: str, panel: str) -> dict[str, object]:
    return fig5.row_of(table, group, panel)


def _cell(project: Path, name: str, **equal: str) -> float:
    """One numeric cell of a raw table, read straight from the CSV text."""
    import csv

    with (project / "data" / "raw" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if all(r[k] == v for k, v in equal.items())]
    assert len(rows) == 1, (name, equal, len(rows))
    value_column = {"doctors_workforce": "staff_number", "ltwp_projections": "staff_number"}.get(
        name, "published_value"
    )
    return float(rows[0][value_column])


def test_past_growth_is_computed_from_the_september_counts(project: Path, table: pl.DataFrame) -> None:
    raw = load("doctors_workforce", project)
    for group in fig5.GROUPS:
        row = _row(table, group, PAST)
        pick = raw.filter((pl.col("staff_group") == group) & (pl.col("basis") == row["basis"]))
        start = pick.filter(pl.col("snapshot_date") == fig5.PAST_START)["staff_number"][0]
        end = pick.filter(pl.col("snapshot_date") == fig5.PAST_END)["staff_number"][0]
        assert row["growth_pct"] == pytest.approx(100 * (end / start - 1))
        assert row["years"] == 5
        assert row["annual_growth_pct"] == pytest.approx(100 * ((end / start) ** 0.2 - 1))


def test_fte_is_preferred_and_headcount_used_only_when_fte_lacks_an_end(table: pl.DataFrame) -> None:
    assert _row(table, "fully qualified GPs", PAST)["basis"] == "FTE"
    # Consultants have an FTE for 2016 but not 2021, so both ends come from headcount.
    assert _row(table, "HCHS consultants", PAST)["basis"] == "headcount"


def test_plan_rows_cover_fifteen_years(table: pl.DataFrame) -> None:
    for group in fig5.GROUPS:
        row = _row(table, group, PLAN)
        assert row["years"] == 15
        assert row["annual_growth_pct"] == pytest.approx(
            annual_growth_pct(row["start_number"], row["end_number"], 15)
        )


def test_missing_end_point_stops_the_build(raw: RawEditor, project: Path) -> None:
    raw.edit(
        "doctors_workforce",
        lambda rows: rows.__setitem__(
            slice(None), [r for r in rows if not (r[0] == "2021-09-30" and r[1] == "fully qualified GPs")]
        ),
    )
    with pytest.raises(FigureInputError, match="fully qualified GPs"):
        fig5.build(project)


def test_log_linear_growth_recovers_a_known_rate() -> None:
    values = [1000 * 1.03**t for t in range(6)]
    fit = fit_annual_growth(list(range(6)), values)
    assert fit.annual_growth_pct == pytest.approx(3.0)
    assert fit.ci_low_pct <= 3.0 <= fit.ci_high_pct
    assert math.isclose(fit.ci_low_pct, fit.ci_high_pct, abs_tol=1e-6)  # a perfect fit has no spread


def test_past_growth_fits_use_every_september(project: Path, table: pl.DataFrame) -> None:
    fits = fig5.past_growth_fits(project, table)
    assert fits["fully qualified GPs"].n == 6  # Sep 2016 to Sep 2021
    assert fits["HCHS consultants"].n == 6


def test_claims(table: pl.DataFrame) -> None:
    results = fig5.claims(table)
    consultants = results["fig5_consultant_growth_2016_17_2021_22"]
    assert isinstance(consultants, Computed)
    assert consultants.value == pytest.approx(_row(table, "HCHS consultants", PAST)["growth_pct"])
    assert "headcount" in consultants.why_differs
    extra = results["fig5_ltwp_extra_gps_by_2026_27"]
    # The 3,000 is the report's own statement: never reproduced, missing until the plan's figure is found.
    assert isinstance(extra, Missing)
    assert "Long Term Workforce Plan" in extra.missing_input and "2026/27" in extra.missing_input


def test_next_five_years_for_gps_keeps_the_reports_number_and_computes_no_rate(
    project: Path, table: pl.DataFrame
) -> None:
    # The report gives 3,000 more "GPs" with no staff group, basis or level: no rate may be drawn from it.
    extra = _cell(project, "published_numbers", claim_id="fig5_ltwp_extra_gps_by_2026_27")
    row = _row(table, "fully qualified GPs", NEXT)
    assert row["evidence"] == "report's own statement"
    assert row["stated_extra_number"] == extra
    assert row["basis"] is None and row["start_number"] is None and row["end_number"] is None
    assert row["growth_pct"] is None and row["annual_growth_pct"] is None
    assert row["source_id"] == fig5.REPORT_SOURCE
    assert "no growth rate is computed" in row["gap"]
    assert "2026/27" in row["period_label"] and "not an official projection" in row["period_label"]


def test_consultants_next_five_years_are_empty_and_say_why(table: pl.DataFrame) -> None:
    row = _row(table, "HCHS consultants", NEXT)
    assert row["evidence"] == "not found"
    assert row["end_number"] is None and row["annual_growth_pct"] is None
    assert "not found" in row["gap"]


def test_every_panel_names_its_period(table: pl.DataFrame) -> None:
    labels = {r["panel"]: r["period_label"] for r in table.iter_rows(named=True)}
    assert "Sep 2016 to Sep 2021" in labels[PAST]
    assert "2021/22 to 2026/27" in labels[NEXT]
    assert "2021/22 to 2036/37" in labels[PLAN]


def test_editing_the_september_2021_gp_count_leaves_the_reports_statement_alone(
    raw: RawEditor, project: Path
) -> None:
    def lower(rows: list[list[str]]) -> None:
        for r in rows:
            if r[0] == "2021-09-30" and r[1] == "fully qualified GPs":
                r[3] = "25000"

    raw.edit("doctors_workforce", lower)
    row = _row(fig5.build(project), "fully qualified GPs", NEXT)
    # Our own count is no base for the report's number: the row does not move.
    assert row["start_number"] is None and row["annual_growth_pct"] is None


def test_editing_the_reports_statement_moves_the_stated_number_but_not_the_claim_status(
    raw: RawEditor, project: Path
) -> None:
    def more(rows: list[list[str]]) -> None:
        for r in rows:
            if r[0] == "fig5_ltwp_extra_gps_by_2026_27":
                r[3] = "6000"

    raw.edit("published_numbers", more)
    table = fig5.build(project)
    row = _row(table, "fully qualified GPs", NEXT)
    assert row["stated_extra_number"] == 6000
    assert row["annual_growth_pct"] is None
    assert isinstance(fig5.claims(table)["fig5_ltwp_extra_gps_by_2026_27"], Missing)
    assert "6,000 more GPs" in fig5.alt_text(table)


def test_plot_has_two_titled_panels_and_three_bars_on_the_left(table: pl.DataFrame) -> None:
    figure = fig5.plot(table)
    left, right = figure.axes
    # Two past bars and the GPs' count since the report. The next five years has no official figure
    # for either group (the report's GP number is shown as its statement, never as a bar under a staff
    # group it did not name), and consultants have no newer count, so neither has a bar.
    assert len(left.patches) == 3
    assert len(right.patches) == 2
    assert "2021/22 to 2036/37" in right.get_title()
    texts = " ".join(t.get_text() for t in left.texts)
    assert "not found" in texts and "Report's statement: 3,000 more GPs by 2026/27" in texts
    assert "no rate" in texts


def test_plan_rows_keep_the_sources_words_beside_our_readings(project: Path) -> None:
    # The press copy says "in 2021" and "by 2037/38" and gives no unit; the years and FTE the figure
    # uses are our readings, kept in columns of their own.
    plan = load("ltwp_projections", project)
    words = {(r["staff_group"], r["financial_year"]): r for r in plan.iter_rows(named=True)}
    assert words["fully qualified GPs", "2021/22"]["period_as_published"] == "in 2021"
    assert words["HCHS consultants", "2036/37"]["period_as_published"] == "by 2037/38"
    assert set(plan["unit_as_published"]) == {"not stated"}
    assert set(plan["basis"]) == {"FTE"}
