"""Figure 5: growth in doctors over the past five years against the next five in the plan.

The report sets the growth in doctors over the past five years against the
next five (its title). Its text says the NHS Long Term Workforce Plan (June
2023) means primary and community staff must grow faster than the acute
workforce, and GPs faster than in past decades. The contrast between hospital
consultants and GPs in the plan's own projections comes from the National
Audit Office (March 2024), after the report; the book labels it as such.

What the data here allow, each stated in the book:

* Past growth is measured between the September snapshots of 2016 and 2021,
  which fall in 2016/17 and 2021/22. Full-time equivalents are used where both
  ends were found; for consultants only headcount was found for 2021, so their
  past growth is in headcount.
* GPs are fully qualified GPs (excluding GPs in training), on NHS Digital's
  revised basis. The series including trainees was not found on that basis.
* The plan's projections for 2026/27 were not found, so the plan's growth is
  shown as the compound annual rate over its full horizon, 2021/22 to 2036/37,
  beside the past annual rate.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import add_source_line
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.periods import FinancialYear
from kfanalysis.published import ClaimResult, Computed, Missing
from kfanalysis.schemas import validate
from kfanalysis.trends import GrowthFit, annual_growth_pct, fit_annual_growth, growth_pct

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig5_doctors"
#: The raw tables this figure reads (and no others).
INPUTS = ("doctors_workforce", "ltwp_projections")
PAST_START, PAST_END = "2016-09-30", "2021-09-30"
PLAN_START, PLAN_END = "2021/22", "2036/37"
GROUPS = ("HCHS consultants", "fully qualified GPs")


def _label(day: str) -> str:
    return date.fromisoformat(day).strftime("%b %Y")


def _years_between(start: str, end: str) -> float:
    """Years between two snapshot dates, in whole months (September to September is exactly 5)."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return (b.year - a.year) + (b.month - a.month) / 12


def _past_basis(workforce: pl.DataFrame, group: str) -> str:
    """FTE if both end points were found in FTE, otherwise headcount."""
    for basis in ("FTE", "headcount"):
        dates = set(
            workforce.filter((pl.col("staff_group") == group) & (pl.col("basis") == basis))["snapshot_date"]
        )
        if {PAST_START, PAST_END} <= dates:
            return basis
    raise FigureInputError(
        f"data/raw/doctors_workforce.csv has no {group} count for both {PAST_START} and {PAST_END} "
        "on one basis\n"
        "  Fix: add the September figures for both years from NHS Digital's workforce statistics."
    )


def _value(frame: pl.DataFrame, **equal: str) -> tuple[float, str]:
    rows = frame.filter(pl.all_horizontal([pl.col(k) == v for k, v in equal.items()]))
    if rows.height != 1:
        raise FigureInputError(f"expected one row for {equal}, found {rows.height}")
    value_column = "staff_number" if "staff_number" in rows.columns else "staff_fte"
    return float(rows[value_column][0]), str(rows["source_id"][0])


def _growth_row(
    group: str, is_plan: bool, basis: str, label: str, start: float, end: float, years: float, source: str
) -> dict[str, object]:
    """One row of the figure's table: a period's growth, in total and a year."""
    return {
        "staff_group": group,
        "is_plan": is_plan,
        "basis": basis,
        "period_label": label,
        "start_number": start,
        "end_number": end,
        "years": years,
        "growth_pct": growth_pct(start, end),
        "annual_growth_pct": annual_growth_pct(start, end, years),
        "source_id": source,
    }


def build(root: Path | str | None = None) -> pl.DataFrame:
    """Build the Figure 5 table: one row of past and one of planned growth per staff group."""
    workforce = load("doctors_workforce", root)
    plan = load("ltwp_projections", root)
    rows = []
    for group in GROUPS:
        basis = _past_basis(workforce, group)
        start, source = _value(workforce, staff_group=group, basis=basis, snapshot_date=PAST_START)
        end, _ = _value(workforce, staff_group=group, basis=basis, snapshot_date=PAST_END)
        rows.append(
            _growth_row(
                group,
                False,
                basis,
                f"{_label(PAST_START)} to {_label(PAST_END)}",
                start,
                end,
                _years_between(PAST_START, PAST_END),
                source,
            )
        )
        start, source = _value(plan, staff_group=group, financial_year=PLAN_START)
        end, _ = _value(plan, staff_group=group, financial_year=PLAN_END)
        years = float(FinancialYear.parse(PLAN_END) - FinancialYear.parse(PLAN_START))
        rows.append(
            _growth_row(group, True, "FTE", f"{PLAN_START} to {PLAN_END} (plan)", start, end, years, source)
        )
    return validate(TABLE, pl.DataFrame(rows).select(fields.table(TABLE).columns))


def past_growth_fits(
    root: Path | str | None = None, table: pl.DataFrame | None = None
) -> dict[str, GrowthFit]:
    """Log-linear annual growth over every September from 2016 to 2021, per staff group, with intervals."""
    workforce = load("doctors_workforce", root)
    table = table if table is not None else build(root)
    fits = {}
    for row in table.filter(~pl.col("is_plan")).iter_rows(named=True):
        series = workforce.filter(
            (pl.col("staff_group") == row["staff_group"])
            & (pl.col("basis") == row["basis"])
            & pl.col("snapshot_date").str.ends_with("-09-30")
            & pl.col("snapshot_date").is_between(pl.lit(PAST_START), pl.lit(PAST_END))
        ).sort("snapshot_date")
        years = [_years_between(PAST_START, d) for d in series["snapshot_date"]]
        fits[row["staff_group"]] = fit_annual_growth(years, series["staff_number"].to_list())
    return fits


def plot(table: pl.DataFrame) -> Figure:
    """Bars of annual growth, past against plan, for each staff group."""
    import seaborn as sns
    from matplotlib.figure import Figure

    palette = sns.color_palette("colorblind")
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(8, 4.4))
        axes = figure.subplots()
    width = 0.38
    for offset, (is_plan, label, colour) in enumerate(
        ((False, "Past: Sep 2016 to Sep 2021", palette[0]), (True, "Plan: 2021/22 to 2036/37", palette[1]))
    ):
        rows = [
            table.filter((pl.col("staff_group") == g) & (pl.col("is_plan") == is_plan)).row(0, named=True)
            for g in GROUPS
        ]
        xs = [i + (offset - 0.5) * width for i in range(len(GROUPS))]
        bars = axes.bar(xs, [r["annual_growth_pct"] for r in rows], width, color=colour, label=label)
        for bar, row in zip(bars, rows, strict=True):
            axes.annotate(
                f"{row['annual_growth_pct']:+.1f}%\n({row['basis']})",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom" if bar.get_height() >= 0 else "top",
                fontsize=8,
                xytext=(0, 2 if bar.get_height() >= 0 else -2),
                textcoords="offset points",
            )
    axes.axhline(0, color="0.3", linewidth=0.8)
    axes.margins(y=0.18)  # room for the value labels above and below the bars
    axes.set_xticks(range(len(GROUPS)), ["Hospital consultants", "Fully qualified GPs"])
    axes.set_ylabel("Growth, % a year (compound)")
    axes.set_title("Doctors: growth a year in the past five years and in the workforce plan", fontsize=10)
    axes.legend(fontsize=8)
    add_source_line(
        figure,
        "Sources: NHS Digital workforce statistics (consultants: headcount; GPs: FTE); "
        "NHS Long Term Workforce Plan as reported by the National Audit Office (FTE).",
    )
    figure.tight_layout()
    return figure


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    parts = []
    for row in table.iter_rows(named=True):
        when = "in the plan" if row["is_plan"] else "in the past"
        parts.append(f"{row['staff_group']} {when}: {row['annual_growth_pct']:+.1f}% a year ({row['basis']})")
    return "Bar chart of compound annual growth. " + "; ".join(parts) + "."


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 5's published numbers from the built table."""
    past = {r["staff_group"]: r for r in table.filter(~pl.col("is_plan")).iter_rows(named=True)}
    consultants, gps = past["HCHS consultants"], past["fully qualified GPs"]
    return {
        "fig5_consultant_growth_2016_17_2021_22": Computed(
            consultants["growth_pct"],
            f"consultants, {consultants['basis']}, {consultants['period_label']}",
            "the consultant count here is headcount: NHS Digital's full-time equivalent for September 2021 "
            "was not found, and the report does not say which measure or month it used"
            if consultants["basis"] != "FTE"
            else "a different month or edition",
        ),
        "fig5_gp_growth_2016_17_2021_22": Computed(
            gps["growth_pct"],
            f"fully qualified GPs, {gps['basis']}, {gps['period_label']}",
            "fully qualified GPs fell over the period; the report's rise probably counts all GPs including "
            "those in training, a series not found on NHS Digital's revised basis",
        ),
        "fig5_ltwp_extra_gps_by_2026_27": Missing(
            "the NHS Long Term Workforce Plan's projection of GPs (or of the primary care workforce) "
            "for 2026/27",
            "the plan's own tables were not read; the report's 2.7% a year is one of its claims, so it "
            "cannot be used as an input to reproduce another",
        ),
    }
