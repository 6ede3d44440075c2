"""Figure 5: growth in doctors over the past five years against the next five.

The report's caption compares the growth in NHS doctors over the past five
years with the next five, and its text gives the end point of the next five it
uses: 3,000 more GPs by 2026/27, which it presents as what the NHS Long Term
Workforce Plan (June 2023) amounts to. The plan's own tables were not found, so
that number is drawn as the report's statement, not as an official projection.

The table has one row per staff group and comparison (``panel``), each with
its own period and counting basis:

* Past five years: the September snapshots of 2016 and 2021 (in 2016/17 and
  2021/22). Full-time equivalents where both ends were found; for consultants
  only headcount was found for 2021, so their past growth is in headcount.
* Next five years, 2021/22 to 2026/27: for GPs, the report's 3,000 as it
  states it. The report names no staff group (all GPs or fully qualified), no
  basis and no starting level, so no growth rate is computed from it and the
  chart shows the number as the report's statement, not as a bar. For
  consultants neither the plan's 2026/27 level nor a statement of the report's
  was found: the row keeps its start and leaves its end empty.
* The plan's fifteen years, 2021/22 to 2036/37, as the National Audit Office
  (March 2024, after the report) reports its modelling, in full-time
  equivalents: a separate comparison with its own period.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import add_source_line, change_word, finish, mark_report, report_values
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.periods import FinancialYear
from kfanalysis.published import ClaimResult, Computed, Missing, published_numbers
from kfanalysis.schemas import validate
from kfanalysis.trends import GrowthFit, annual_growth_pct, fit_annual_growth, growth_pct

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

TABLE = "fig5_doctors"
#: The raw tables this figure reads (and no others). The report's own statement of the next
#: five years is read from the published numbers, where it is also tested.
INPUTS = ("doctors_workforce", "ltwp_projections", "published_numbers")
PAST_START, PAST_END = "2016-09-30", "2021-09-30"
NEXT_START, NEXT_END = "2021/22", "2026/27"
PLAN_START, PLAN_END = "2021/22", "2036/37"
GROUPS = ("HCHS consultants", "fully qualified GPs")
PANELS = fields.FIG5_PANELS
#: The report's statement of extra GPs by 2026/27 (a claim in published_numbers.csv).
GP_STATEMENT_CLAIM = "fig5_ltwp_extra_gps_by_2026_27"
#: The report itself, the source of its own statements.
REPORT_SOURCE = "kf_care_closer_to_home_2024"
#: The chart's wording for a number only the report states.
STATEMENT_LABEL = "report's statement, not an official projection"


def _label(day: str) -> str:
    return date.fromisoformat(day).strftime("%b %Y")


def _years_between(start: str, end: str) -> float:
    """Years between two snapshot dates, in whole months (September to September is exactly 5)."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return (b.year - a.year) + (b.month - a.month) / 12


def _fy_years(start: str, end: str) -> float:
    return float(FinancialYear.parse(end) - FinancialYear.parse(start))


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
    return float(rows["staff_number"][0]), str(rows["source_id"][0])


def _statement(claims: pl.DataFrame, claim_id: str) -> float:
    """The value of one of the report's own statements, from published_numbers.csv."""
    rows = claims.filter(pl.col("claim_id") == claim_id)
    if rows.height != 1:
        raise FigureInputError(
            f"data/raw/published_numbers.csv has no claim {claim_id!r}\n"
            "  Fix: restore the row; Figure 5 draws the report's statement from it."
        )
    return float(rows["published_value"][0])


def _growth_row(
    group: str,
    panel: str,
    evidence: str,
    basis: str | None,
    label: str,
    start: float | None,
    end: float | None,
    years: float,
    source: str,
    gap: str | None = None,
    stated_extra: float | None = None,
) -> dict[str, object]:
    """One row of the figure's table: a period's growth, in total and a year (empty without an end)."""
    return {
        "staff_group": group,
        "panel": panel,
        "evidence": evidence,
        "basis": basis,
        "period_label": label,
        "start_number": start,
        "end_number": end,
        "years": years,
        "growth_pct": None if end is None or start is None else growth_pct(start, end),
        "annual_growth_pct": None if end is None or start is None else annual_growth_pct(start, end, years),
        "stated_extra_number": stated_extra,
        "source_id": source,
        "gap": gap,
    }


def _past_row(workforce: pl.DataFrame, group: str) -> dict[str, object]:
    basis = _past_basis(workforce, group)
    start, source = _value(workforce, staff_group=group, basis=basis, snapshot_date=PAST_START)
    end, _ = _value(workforce, staff_group=group, basis=basis, snapshot_date=PAST_END)
    gap = (
        None
        if basis == "FTE"
        else "headcount: NHS Digital's full-time equivalent for September 2021 was not found"
    )
    return _growth_row(
        group,
        PANELS[0],
        "official count",
        basis,
        f"{_label(PAST_START)} to {_label(PAST_END)}",
        start,
        end,
        _years_between(PAST_START, PAST_END),
        source,
        gap,
    )


def _next_row(
    workforce: pl.DataFrame, plan: pl.DataFrame, claims: pl.DataFrame, group: str
) -> dict[str, object]:
    """The next five years: the report's statement for GPs; for consultants, nothing was found."""
    label = f"{NEXT_START} to {NEXT_END}"
    years = _fy_years(NEXT_START, NEXT_END)
    if group == "fully qualified GPs":
        # The report says "GPs" and gives a number of extra staff, but no staff group, basis, level or
        # rate: the row keeps its number as stated and computes nothing from it.
        extra = _statement(claims, GP_STATEMENT_CLAIM)
        return _growth_row(
            group,
            PANELS[1],
            "report's own statement",
            None,
            f"{label} ({STATEMENT_LABEL})",
            None,
            None,
            years,
            REPORT_SOURCE,
            f"the report states {extra:,.0f} more GPs by {NEXT_END} without saying which GPs (all, or fully "
            "qualified), which basis or from what level, so no growth rate is computed from it; the plan's "
            "own 2026/27 figure was not found",
            stated_extra=extra,
        )
    start, source = _value(plan, staff_group=group, financial_year=NEXT_START)
    return _growth_row(
        group,
        PANELS[1],
        "not found",
        "FTE",
        label,
        start,
        None,
        years,
        source,
        f"the plan's {NEXT_END} level for {group} was not found, and the report states none; the start is "
        "the plan's 2021/22 baseline as the National Audit Office reports it",
    )


def _plan_row(plan: pl.DataFrame, group: str) -> dict[str, object]:
    start, source = _value(plan, staff_group=group, financial_year=PLAN_START)
    end, _ = _value(plan, staff_group=group, financial_year=PLAN_END)
    return _growth_row(
        group,
        PANELS[2],
        "plan as reported by the NAO",
        "FTE",
        f"{PLAN_START} to {PLAN_END} (plan, NAO)",
        start,
        end,
        _fy_years(PLAN_START, PLAN_END),
        source,
    )


def _since_row(workforce: pl.DataFrame, group: str, basis: str) -> dict[str, object]:
    """From the past series' end (September 2021) to the newest September count on the same basis.

    Only September snapshots continue the series (the count moves within a year), and only the
    basis of the past five years, so the two rows compare like with like. Without a newer
    September the row keeps its start and says what was not found.
    """
    start, source = _value(workforce, staff_group=group, basis=basis, snapshot_date=PAST_END)
    later = workforce.filter(
        (pl.col("staff_group") == group)
        & (pl.col("basis") == basis)
        & pl.col("snapshot_date").str.ends_with("-09-30")
        & (pl.col("snapshot_date") > PAST_END)
    ).sort("snapshot_date")
    if later.height == 0:
        return _growth_row(
            group,
            PANELS[3],
            "not found",
            basis,
            f"{_label(PAST_END)} to newest September (not found)",
            start,
            None,
            0.0,
            source,
            f"no national {basis} figure for {group} for any September after {_label(PAST_END)} was found",
        )
    newest = later.row(-1, named=True)
    return _growth_row(
        group,
        PANELS[3],
        "official count",
        basis,
        f"{_label(PAST_END)} to {_label(newest['snapshot_date'])} (after the report)",
        start,
        float(newest["staff_number"]),
        _years_between(PAST_END, newest["snapshot_date"]),
        str(newest["source_id"]),
    )


def build(root: Path | str | None = None) -> pl.DataFrame:
    """Build the Figure 5 table: past five years, next five years and the plan, per staff group."""
    workforce = load("doctors_workforce", root)
    plan = load("ltwp_projections", root)
    claims = published_numbers(root)
    rows = []
    for group in GROUPS:
        rows.append(_past_row(workforce, group))
        rows.append(_next_row(workforce, plan, claims, group))
        rows.append(_plan_row(plan, group))
        rows.append(_since_row(workforce, group, _past_basis(workforce, group)))
    return validate(TABLE, pl.DataFrame(rows).select(fields.table(TABLE).columns))


def row_of(table: pl.DataFrame, group: str, panel: str) -> dict[str, object]:
    """The table's row for one staff group and comparison."""
    rows = table.filter((pl.col("staff_group") == group) & (pl.col("panel") == panel))
    if rows.height != 1:
        raise KeyError(f"no single row for {group!r} in panel {panel!r}")
    return rows.row(0, named=True)


def past_growth_fits(
    root: Path | str | None = None, table: pl.DataFrame | None = None
) -> dict[str, GrowthFit]:
    """Log-linear annual growth over every September from 2016 to 2021, per staff group, with intervals."""
    workforce = load("doctors_workforce", root)
    table = table if table is not None else build(root)
    fits = {}
    for row in table.filter(pl.col("panel") == PANELS[0]).iter_rows(named=True):
        series = workforce.filter(
            (pl.col("staff_group") == row["staff_group"])
            & (pl.col("basis") == row["basis"])
            & pl.col("snapshot_date").str.ends_with("-09-30")
            & pl.col("snapshot_date").is_between(pl.lit(PAST_START), pl.lit(PAST_END))
        ).sort("snapshot_date")
        years = [_years_between(PAST_START, d) for d in series["snapshot_date"]]
        fits[row["staff_group"]] = fit_annual_growth(years, series["staff_number"].to_list())
    return fits


def _bar_label(row: dict[str, object]) -> str:
    text = f"{row['annual_growth_pct']:+.1f}%\n{row['basis']}"
    if row["evidence"] == "report's own statement":
        text += "\nreport's statement,\nnot an official\nprojection"
    return text


#: The report's growth over the past five years, by staff group.
PAST_CLAIMS = {
    "HCHS consultants": "fig5_consultant_growth_2016_17_2021_22",
    "fully qualified GPs": "fig5_gp_growth_2016_17_2021_22",
}


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    consultants, gps = (row_of(table, group, PANELS[0]) for group in GROUPS)
    c, g = float(consultants["annual_growth_pct"]), float(gps["annual_growth_pct"])  # type: ignore[arg-type]
    return (
        f"From {consultants['period_label']} hospital consultants {change_word(0, c, 'grew', 'shrank')} by "
        f"{abs(c):.1f}% a year, while fully qualified GPs {change_word(0, g, 'grew', 'shrank')} by "
        f"{abs(g):.1f}% a year"
    )


def annual_rate(total_pct: float, years: float) -> float:
    """The compound growth a year (%) that adds up to ``total_pct`` over ``years``."""
    return ((1 + total_pct / 100) ** (1 / years) - 1) * 100


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Two comparisons, each titled with its period: past against next five years, and the plan's fifteen."""
    import seaborn as sns
    from matplotlib.figure import Figure

    palette = sns.color_palette("colorblind")
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(10, 6.4))
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": (3, 2)})
    names = {"HCHS consultants": "Hospital\nconsultants", "fully qualified GPs": "Fully qualified\nGPs"}
    width = 0.3
    styles = {
        PANELS[0]: ("Past: Sep 2016 to Sep 2021", palette[0], None),
        PANELS[1]: ("Next: 2021/22 to 2026/27", palette[1], "//"),
    }
    labelled: set[str] = set()
    for offset, panel in enumerate(PANELS[:2]):
        label, colour, hatch = styles[panel]
        for i, group in enumerate(GROUPS):
            row = row_of(table, group, panel)
            x = i + (offset - 0.5) * width
            if row["annual_growth_pct"] is None:
                stated = row["evidence"] == "report's own statement"
                left.text(
                    x,
                    0.05,
                    "no rate: the report\nstates a number only"
                    if stated
                    else "plan's 2026/27\nlevel not found",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    rotation=90,
                    color="0.25",
                )
                continue
            hatch_here = hatch if row["evidence"] == "report's own statement" else None
            (bar,) = left.bar(
                [x],
                [row["annual_growth_pct"]],
                width,
                color=colour,
                hatch=hatch_here,
                edgecolor="white",
                label=None if label in labelled else label,
            )
            labelled.add(label)
            _annotate(left, bar, _bar_label(row))
    _draw_since(left, table, palette[3], width)
    rates = [r for r in table["annual_growth_pct"].to_list() if r is not None]
    limits = (min(0.0, *rates) - 1.5, max(0.0, *rates) + 4.5)  # one scale on both panels, room for labels
    _finish(left, names, limits, "Past five years and next five years\n(each bar labelled with its basis)")
    # The since-the-report bar sits one and a half widths right of each group: keep it inside the frame.
    left.set_xlim(-0.6, len(GROUPS) - 1 + 2 * width + 0.3)
    left.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    report = report_values(claims(table), root)
    for i, group in enumerate(GROUPS):  # the report's growth over five years, at its rate a year
        total, years = report[PAST_CLAIMS[group]], row_of(table, group, PANELS[0])["years"]
        assert isinstance(years, float), "every past row has its length in years"
        mark_report(left, i - 0.5 * width, annual_rate(total, years), f"{total:+.0f}%\nin {years:.0f} years")
    _state_the_report(left, table)
    for i, group in enumerate(GROUPS):
        row = row_of(table, group, PANELS[2])
        (bar,) = right.bar([i], [row["annual_growth_pct"]], 0.5, color=palette[2])
        _annotate(right, bar, _bar_label(row))
    _finish(
        right,
        names,
        limits,
        f"Workforce plan, {PLAN_START} to {PLAN_END}\n(NAO's account of the modelling, FTE)",
    )
    left.set_ylabel("Growth, % a year (compound)")
    add_source_line(
        figure,
        "Sources: NHS Digital workforce statistics (consultants: headcount; GPs: FTE); the report's own "
        "statement of extra GPs by 2026/27, as stated (the plan's tables were not found);\n"
        "NHS Long Term Workforce Plan as reported by the National Audit Office (FTE). "
        "Headcount and FTE are never in one bar pair without a label.",
    )
    finish(figure, finding(table))
    return figure


def _state_the_report(axes: Axes, table: pl.DataFrame) -> None:
    """The report's own statements of the next five years, as it words them: a number, never a bar."""
    stated = table.filter(pl.col("stated_extra_number").is_not_null())
    lines = [
        f"Report's statement: {r['stated_extra_number']:,.0f} more GPs by {NEXT_END}"
        for r in stated.iter_rows(named=True)
    ]
    if not lines:
        return
    axes.text(
        0.98,
        0.97,
        "\n".join(lines) + "\n(staff group, basis and level not stated;\nnot an official projection)",
        transform=axes.transAxes,
        ha="right",
        va="top",
        fontsize=7.5,
        bbox={"facecolor": "white", "edgecolor": "0.6", "pad": 3.0},
    )


def _draw_since(axes: Axes, table: pl.DataFrame, colour: object, width: float) -> None:
    """A third bar per group, apart from the report's two: growth since the report, where found."""
    for i, group in enumerate(GROUPS):
        row = row_of(table, group, PANELS[3])
        x = i + 1.5 * width
        if row["annual_growth_pct"] is None:
            axes.text(x, 0.05, "newer count\nnot found", ha="center", va="bottom", fontsize=7, rotation=90)
            continue
        (bar,) = axes.bar(
            [x],
            [float(row["annual_growth_pct"])],  # type: ignore[arg-type]
            width,
            color=colour,
            hatch="xx",
            edgecolor="white",
            label=f"After the report: {str(row['period_label']).split(' (')[0]}",
        )
        _annotate(axes, bar, f"{row['annual_growth_pct']:+.1f}%\n{row['basis']}")


def _annotate(axes: Axes, bar: Rectangle, text: str) -> None:
    height = bar.get_height()
    axes.annotate(
        text,
        (bar.get_x() + bar.get_width() / 2, height),
        ha="center",
        va="bottom" if height >= 0 else "top",
        fontsize=7.5,
        xytext=(0, 2 if height >= 0 else -2),
        textcoords="offset points",
    )


def _finish(axes: Axes, names: dict[str, str], limits: tuple[float, float], title: str) -> None:
    axes.axhline(0, color="0.3", linewidth=0.8)
    axes.set_ylim(*limits)
    axes.set_xlim(-0.75, len(GROUPS) - 0.25)  # room for the outer bars' labels inside the frame
    axes.set_xticks(range(len(GROUPS)), [names[g] for g in GROUPS])
    axes.set_title(title, fontsize=9.5)


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    parts = []
    for row in table.iter_rows(named=True):
        what = f"{row['staff_group']}, {row['panel']} ({row['period_label']})"
        if row["stated_extra_number"] is not None:
            parts.append(
                f"{row['panel']} ({row['period_label']}): the report states "
                f"{row['stated_extra_number']:,.0f} more GPs, with no staff group, basis or rate; "
                "no bar is drawn"
            )
        elif row["annual_growth_pct"] is None:
            parts.append(f"{what}: not found")
        else:
            parts.append(
                f"{what}: {row['annual_growth_pct']:+.1f}% a year ({row['basis']}, {row['evidence']})"
            )
    return "Bar chart of compound annual growth in two panels. " + "; ".join(parts) + "."


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 5's published numbers from the built table."""
    consultants = row_of(table, "HCHS consultants", PANELS[0])
    gps = row_of(table, "fully qualified GPs", PANELS[0])
    return {
        "fig5_consultant_growth_2016_17_2021_22": Computed(
            float(consultants["growth_pct"]),  # type: ignore[arg-type]
            f"consultants, {consultants['basis']}, {consultants['period_label']}",
            f"bases tried: {consultants['basis']}, {consultants['period_label']}, "
            f"{float(consultants['growth_pct']):+.1f}%; full-time equivalent: not found for September 2021. "  # type: ignore[arg-type]
            "The report does not say which measure or month it used"
            if consultants["basis"] != "FTE"
            else "a different month or edition",
        ),
        "fig5_gp_growth_2016_17_2021_22": Computed(
            float(gps["growth_pct"]),  # type: ignore[arg-type]
            f"fully qualified GPs, {gps['basis']}, {gps['period_label']}",
            f"bases tried: fully qualified GPs, {gps['basis']}, {gps['period_label']}, "
            f"{float(gps['growth_pct']):+.1f}%; all GPs including those in training: not found on NHS "  # type: ignore[arg-type]
            "Digital's revised basis. The report's rise probably counts all GPs",
        ),
        GP_STATEMENT_CLAIM: Missing(
            "the NHS Long Term Workforce Plan's own projection of GPs for 2026/27 (its tables by staff "
            "group, or its text), to find the 3,000 as published",
            "the report is the only source found that gives the 3,000; the plan's text and tables were "
            "not found (no stored copy beyond its opening, no public repository holding it), and a number "
            "the report states cannot "
            "be reproduced from itself. The chart draws it as the report's statement",
        ),
    }
