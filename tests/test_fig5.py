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


def _row(table: pl.DataFrame, group: str, is_plan: bool) -> dict[str, object]:
    return table.filter((pl.col("staff_group") == group) & (pl.col("is_plan") == is_plan)).row(0, named=True)


def test_past_growth_is_computed_from_the_september_counts(project: Path, table: pl.DataFrame) -> None:
    raw = load("doctors_workforce", project)
    for group in fig5.GROUPS:
        row = _row(table, group, False)
        pick = raw.filter((pl.col("staff_group") == group) & (pl.col("basis") == row["basis"]))
        start = pick.filter(pl.col("snapshot_date") == fig5.PAST_START)["staff_number"][0]
        end = pick.filter(pl.col("snapshot_date") == fig5.PAST_END)["staff_number"][0]
        assert row["growth_pct"] == pytest.approx(100 * (end / start - 1))
        assert row["years"] == 5
        assert row["annual_growth_pct"] == pytest.approx(100 * ((end / start) ** 0.2 - 1))


def test_fte_is_preferred_and_headcount_used_only_when_fte_lacks_an_end(table: pl.DataFrame) -> None:
    assert _row(table, "fully qualified GPs", False)["basis"] == "FTE"
    # Consultants have an FTE for 2016 but not 2021, so both ends come from headcount.
    assert _row(table, "HCHS consultants", False)["basis"] == "headcount"


def test_plan_rows_cover_fifteen_years(table: pl.DataFrame) -> None:
    for group in fig5.GROUPS:
        row = _row(table, group, True)
        assert row["years"] == 15
        assert row["annual_growth_pct"] == pytest.approx(
            annual_growth_pct(row["start_number"], row["end_number"], 15)
        )


def test_missing_end_point_stops_the_build(raw: RawEditor, project: Path) -> None:
    raw.edit("doctors_workforce", lambda rows: rows.__setitem__(
        slice(None), [r for r in rows if not (r[0] == "2021-09-30" and r[1] == "fully qualified GPs")]))
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
    assert consultants.value == pytest.approx(_row(table, "HCHS consultants", False)["growth_pct"])
    assert "headcount" in consultants.why_differs
    assert isinstance(results["fig5_ltwp_extra_gps_by_2026_27"], Missing)


def test_plot_has_four_bars(table: pl.DataFrame) -> None:
    (axes,) = fig5.plot(table).axes
    assert len(axes.patches) == 4
