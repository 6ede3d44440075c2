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
    value_column = {"doctors_workforce": "staff_number", "ltwp_projections": "staff_fte"}.get(
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


def test_next_five_years_for_gps_is_the_reports_statement_on_the_september_2021_fte(
    project: Path, table: pl.DataFrame
) -> None:
    start = _cell(project, "doctors_workforce", snapshot_date="2021-09-30", staff_group="fully qualified GPs")
    extra = _cell(project, "published_numbers", claim_id="fig5_ltwp_extra_gps_by_2026_27")
    row = _row(table, "fully qualified GPs", NEXT)
    assert row["evidence"] == "report's own statement"
    assert row["basis"] == "FTE"
    assert row["years"] == 5  # 2021/22 to 2026/27
    assert row["start_number"] == start and row["end_number"] == start + extra
    assert row["annual_growth_pct"] == pytest.approx(100 * (((start + extra) / start) ** (1 / 5) - 1))
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


def test_editing_the_september_2021_gp_count_moves_the_next_five_years(raw: RawEditor, project: Path) -> None:
    def lower(rows: list[list[str]]) -> None:
        for r in rows:
            if r[0] == "2021-09-30" and r[1] == "fully qualified GPs":
                r[3] = "25000"

    raw.edit("doctors_workforce", lower)
    row = _row(fig5.build(project), "fully qualified GPs", NEXT)
    # 25,000 + 3,000 over five years: (28,000 / 25,000) ** 0.2 - 1 = 2.2924...% a year.
    assert row["annual_growth_pct"] == pytest.approx(2.29244, abs=1e-4)


def test_editing_the_reports_statement_moves_the_bar_but_not_the_claim_status(
    raw: RawEditor, project: Path
) -> None:
    def more(rows: list[list[str]]) -> None:
        for r in rows:
            if r[0] == "fig5_ltwp_extra_gps_by_2026_27":
                r[3] = "6000"

    raw.edit("published_numbers", more)
    table = fig5.build(project)
    row = _row(table, "fully qualified GPs", NEXT)
    # 27,920 + 6,000 = 33,920; (33,920 / 27,920) ** 0.2 - 1 = 3.9700...% a year.
    assert row["end_number"] == 33920
    assert row["annual_growth_pct"] == pytest.approx(3.97001, abs=1e-4)
    assert isinstance(fig5.claims(table)["fig5_ltwp_extra_gps_by_2026_27"], Missing)


def test_plot_has_two_titled_panels_and_five_bars(table: pl.DataFrame) -> None:
    figure = fig5.plot(table)
    left, right = figure.axes
    # Consultants' next five years and their count since the report have no bar.
    assert len(left.patches) == 4
    assert len(right.patches) == 2
    assert "2021/22 to 2036/37" in right.get_title()
    texts = " ".join(t.get_text() for t in left.texts)
    assert "not found" in texts and "report's statement" in texts
