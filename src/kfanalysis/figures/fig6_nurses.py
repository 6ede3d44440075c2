"""Figure 6: growth in NHS nurses over the past ten years against the next ten.

The report's chart sets nurses' growth by care setting over the past ten years
beside the growth the NHS Long Term Workforce Plan (June 2023) implies for the
next ten. Neither half can be rebuilt as the report drew it: no official
series of nurses by care setting and none of the plan's own tables were found.
What is rebuilt, each part stated in the book:

* The past: nurses and health visitors in NHS hospital and community health
  services, England, all care settings together, headcount each September from
  2012 (NHS Digital). The edition read ends in July 2022, so the last September
  is 2021, nine years on; a September 2022 row added to data/raw is used
  automatically. Growth a year comes from the end points and, with a 95%
  interval, from a log-linear fit through every September.
* The next ten years: the report's own statement of 9,000 more community
  nurses by 2026/27, drawn as the report's statement, not as a projection. No
  official community-nurse level for 2021/22 was found, so no growth rate is
  computed from it.
* Official statements about nurses that no series here can rebuild (community
  nurses and health visitors falling, the 50,000-nurses baseline, one level of
  community-services nurses) are shown beside the chart as published, each
  with its own period and measure, and never joined to the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import add_source_line, change_word, finish
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.periods import FinancialYear
from kfanalysis.published import ClaimResult, Missing, published_numbers
from kfanalysis.schemas import validate
from kfanalysis.trends import GrowthFit, annual_growth_pct, fit_annual_growth, growth_pct

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig6_nurses"
#: The raw tables this figure reads (and no others). The report's own statement of the next
#: years is read from the published numbers, where it is also tested.
INPUTS = ("nurses_workforce", "workforce_statements", "published_numbers")
#: The report's ten years: the September snapshots from 2012 to 2022, whichever are present.
WINDOW_START, WINDOW_END = "2012-09-30", "2022-09-30"
STAFF_GROUP = "nurses and health visitors"
BASIS = "headcount"
#: The report's statement of extra community nurses by 2026/27 (a claim in published_numbers.csv).
NURSE_STATEMENT_CLAIM = "fig6_ltwp_extra_community_nurses_by_2026_27"
REPORT_SOURCE = "kf_care_closer_to_home_2024"
#: The official file the care-setting split needs, named exactly so it can be fetched.
CARE_SETTING_INPUT = (
    "NHS Workforce Statistics (NHS Digital, now NHS England): nurses and health visitors by staff group "
    "and care setting (area of work), full-time equivalent, each September from 2012 to 2023, England"
)
PLAN_INPUT = (
    "the NHS Long Term Workforce Plan's own tables (June 2023): nursing workforce by setting in 2021/22, "
    "2026/27 and 2036/37, and the annual growth rates by setting"
)


def _label(day: str) -> str:
    return date.fromisoformat(day).strftime("%b %Y")


def _years_between(start: str, end: str) -> float:
    """Years between two snapshot dates, in whole months over twelve."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return (b.year - a.year) + (b.month - a.month) / 12


def _series_rows(root: Path | str | None) -> list[dict[str, object]]:
    nurses = load("nurses_workforce", root)
    series = nurses.filter(
        (pl.col("staff_group") == STAFF_GROUP)
        & (pl.col("basis") == BASIS)
        & pl.col("snapshot_date").str.ends_with("-09-30")
        & pl.col("snapshot_date").is_between(pl.lit(WINDOW_START), pl.lit(WINDOW_END))
    ).sort("snapshot_date")
    dates = series["snapshot_date"].to_list()
    if not dates or dates[0] != WINDOW_START or len(dates) < 3:
        raise FigureInputError(
            f"data/raw/nurses_workforce.csv: Figure 6 needs the {STAFF_GROUP} {BASIS} for {WINDOW_START} "
            f"and at least two later Septembers up to {WINDOW_END}; found {dates or 'none'}\n"
            "  Fix: add the September values from NHS Digital's NHS Workforce Statistics."
        )
    return [
        {
            "evidence": "official count",
            "who_is_counted": f"{STAFF_GROUP}, NHS hospital and community health services, all care settings",
            "period_label": _label(row["snapshot_date"]),
            "snapshot_date": row["snapshot_date"],
            "years_from_start": _years_between(WINDOW_START, row["snapshot_date"]),
            "qualifier": "as stated",
            "value": float(row["staff_number"]),
            "value_unit": BASIS,
            "source_id": row["source_id"],
        }
        for row in series.iter_rows(named=True)
    ]


def _statement_rows(root: Path | str | None) -> list[dict[str, object]]:
    statements = load("workforce_statements", root)
    return [
        {
            "evidence": "official statement",
            "who_is_counted": row["who_is_counted"],
            "period_label": row["stated_period"],
            "snapshot_date": None,
            "years_from_start": None,
            "qualifier": row["qualifier"],
            "value": row["stated_value"],
            # The publisher's unit where it gives one; otherwise our reading, marked as ours.
            "value_unit": row["stated_unit"]
            if row["stated_unit"] != "not stated"
            else f"{row['unit_read_as']} (unit not stated; our reading)",
            "source_id": row["source_id"],
        }
        for row in statements.iter_rows(named=True)
    ]


def _report_row(root: Path | str | None) -> dict[str, object]:
    claims = published_numbers(root).filter(pl.col("claim_id") == NURSE_STATEMENT_CLAIM)
    if claims.height != 1:
        raise FigureInputError(
            f"data/raw/published_numbers.csv has no claim {NURSE_STATEMENT_CLAIM!r}\n"
            "  Fix: restore the row; Figure 6 draws the report's statement from it."
        )
    return {
        "evidence": "report's own statement",
        "who_is_counted": "community nurses (the report's words; basis and baseline not stated)",
        "period_label": str(claims["period"][0]),
        "snapshot_date": None,
        "years_from_start": None,
        "qualifier": "as stated",
        "value": float(claims["published_value"][0]),
        "value_unit": "more staff (basis not stated)",
        "source_id": REPORT_SOURCE,
    }


def build(root: Path | str | None = None) -> pl.DataFrame:
    """Build the Figure 6 table: the September series, the official statements and the report's statement."""
    rows = [*_series_rows(root), *_statement_rows(root), _report_row(root)]
    frame = pl.DataFrame(rows, schema_overrides={"snapshot_date": pl.String, "years_from_start": pl.Float64})
    return validate(TABLE, frame.select(fields.table(TABLE).columns))


def series(table: pl.DataFrame) -> pl.DataFrame:
    """The official September counts only, oldest first."""
    return table.filter(pl.col("evidence") == "official count").sort("snapshot_date")


def statements(table: pl.DataFrame) -> pl.DataFrame:
    """The official statements shown beside the chart."""
    return table.filter(pl.col("evidence") == "official statement")


@dataclass(frozen=True)
class PastGrowth:
    """Growth of the September series over the years present.

    Attributes:
        first: Label of the first September ("Sep 2012").
        last: Label of the last September present.
        years: Years between them.
        start: Headcount at the first September.
        end: Headcount at the last.
        growth_pct: Growth from first to last, in per cent.
        annual_growth_pct: Compound growth a year between the end points.
        fit: Log-linear growth a year through every September, with its interval.
    """

    first: str
    last: str
    years: float
    start: float
    end: float
    growth_pct: float
    annual_growth_pct: float
    fit: GrowthFit


def past_growth(table: pl.DataFrame) -> PastGrowth:
    """Growth of nurses and health visitors over the Septembers in the table, end points and fit."""
    rows = series(table)
    years = rows["years_from_start"].to_list()
    values = rows["value"].to_list()
    span = float(years[-1])
    return PastGrowth(
        first=str(rows["period_label"][0]),
        last=str(rows["period_label"][-1]),
        years=span,
        start=float(values[0]),
        end=float(values[-1]),
        growth_pct=growth_pct(values[0], values[-1]),
        annual_growth_pct=annual_growth_pct(values[0], values[-1], span),
        fit=fit_annual_growth(years, values),
    )


def _statement_text(row: dict[str, object]) -> str:
    value = float(row["value"])  # type: ignore[arg-type]
    if row["value_unit"] == "% change":
        qualifier = "" if row["qualifier"] == "as stated" else f"{row['qualifier']} "
        return f"{qualifier}{value:+.0f}%"
    unit = str(row["value_unit"])
    if unit.endswith("our reading)"):
        return f"{value:,.0f} {unit.split(' ')[0]} (our reading)"
    return f"{value:,.0f} {unit}"


def _short(who: str, limit: int = 82) -> str:
    """The statement's subject without its bracketed caveat, cut to fit one table line."""
    head = who.split(" (")[0]
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "\u2026"


def _future_title(period: str) -> str:
    """The right panel's title: the span the report's statement covers, not the ten years of the caption.

    The report's caption compares ten years with ten, but its only number for the future runs five
    years, to 2026/27; the title says so, so the panel is not read as a ten-year projection.
    """
    start, _, end = period.partition(" to ")
    years = int(FinancialYear.parse(end) - FinancialYear.parse(start))
    return f"The report's statement for {start} to {end}\n({years} years, not the caption's ten)"


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    growth = past_growth(table)
    rate = growth.annual_growth_pct
    return (
        f"NHS nurses and health visitors {change_word(0, rate, 'grew', 'shrank')} by {abs(rate):.1f}% a year "
        f"from {growth.first} to {growth.last}, from {growth.start:,.0f} to {growth.end:,.0f} (headcount)"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """The past ten years as a series, the next ten as the report states them, and the official statements."""
    import seaborn as sns
    from matplotlib.figure import Figure

    growth = past_growth(table)
    rows = series(table)
    palette = sns.color_palette("colorblind")
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(10, 8.6))
        grid = figure.add_gridspec(2, 2, width_ratios=(3, 2), height_ratios=(3, 1.4))
        past = figure.add_subplot(grid[0, 0])
        future = figure.add_subplot(grid[0, 1])
        notes = figure.add_subplot(grid[1, :])
    xs = rows["years_from_start"].to_list()
    past.plot(
        xs, [v / 1000 for v in rows["value"].to_list()], marker="o", color=palette[0], label="Headcount"
    )
    past.set_xticks(xs, [label[-4:] for label in rows["period_label"].to_list()], fontsize=8)
    past.set_ylabel("Thousands of people (headcount)")
    past.set_title(
        f"Past: nurses and health visitors, all care settings, headcount,\n{growth.first} to {growth.last}"
        " (Sep 2022 not in the edition read)",
        fontsize=9.5,
    )
    fit = growth.fit
    past.text(
        0.02,
        0.97,
        f"{growth.annual_growth_pct:+.1f}% a year between the end points\n"
        f"log-linear fit: {fit.annual_growth_pct:+.1f}% a year\n"
        f"(95% interval {fit.ci_low_pct:.1f} to {fit.ci_high_pct:.1f}, {fit.n} Septembers)",
        transform=past.transAxes,
        va="top",
        fontsize=8,
    )
    report = table.filter(pl.col("evidence") == "report's own statement").row(0, named=True)
    future.axis("off")
    future.set_title(_future_title(str(report["period_label"])), fontsize=9.5)
    future.text(
        0.0,
        0.95,
        f"+{report['value']:,.0f} community nurses\nby {str(report['period_label'])[-7:]}\n"
        "(the report's statement, not an\nofficial projection; no official\ncommunity-nurse baseline was\n"
        "found, so no growth rate\nis computed)\n\n"
        "The plan's growth by setting:\nnot found.\n"
        "Nurses by care setting, FTE,\nSep 2012 to 2023: not found.",
        va="top",
        fontsize=8.5,
        transform=future.transAxes,
    )
    notes.axis("off")
    shown = statements(table)
    cells = [
        [_short(str(r["who_is_counted"]), 52), str(r["period_label"]), _statement_text(r)]
        for r in shown.iter_rows(named=True)
    ]
    if cells:
        grid_table = notes.table(
            cellText=cells,
            colLabels=["Official statement, as published (not part of the series)", "Period", "Value"],
            loc="upper center",
            cellLoc="left",
            colWidths=(0.6, 0.22, 0.18),
        )
        grid_table.auto_set_font_size(False)
        grid_table.set_fontsize(7)
        grid_table.scale(1, 1.9)  # rows tall enough for text at the size ``finish`` sets
    add_source_line(
        figure,
        "Sources: NHS Digital, NHS Workforce Statistics (headcount, July 2022 edition); the report (9,000 "
        "community nurses); DHSC news of 8 Dec 2024 and 30 Nov 2023; written answer UIN 209319.",
    )
    finish(figure, finding(table))
    return figure


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    growth = past_growth(table)
    parts = [
        f"Line chart of nurses and health visitors, all care settings, headcount, {growth.first} "
        f"{growth.start:,.0f} to {growth.last} {growth.end:,.0f}, {growth.annual_growth_pct:+.1f}% a year",
    ]
    report = table.filter(pl.col("evidence") == "report's own statement").row(0, named=True)
    parts.append(f"the report's statement of {report['value']:,.0f} more community nurses by 2026/27")
    for row in statements(table).iter_rows(named=True):
        parts.append(
            f"official statement: {row['who_is_counted']}, {row['period_label']}, {_statement_text(row)}"
        )
    return "; ".join(parts) + "."


def _rate_missing(setting: str) -> Missing:
    return Missing(
        PLAN_INPUT,
        f"the report is the only source found that gives the plan's rate for the {setting} workforce; "
        "the plan's own sentence and tables were not found (no stored copy beyond its opening, "
        "no public repository holding the PDF or "
        "its text), and which of the report's three rates belongs to which setting is our reading",
    )


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Figure 6's published numbers: each quotes the plan, whose tables were not found."""
    del table  # the series cannot test any of them; kept for the common signature
    return {
        "fig6_ltwp_primary_care_growth_pa": _rate_missing("primary care"),
        "fig6_ltwp_community_growth_pa": _rate_missing("community health"),
        "fig6_ltwp_acute_growth_pa": _rate_missing("acute"),
        NURSE_STATEMENT_CLAIM: Missing(
            f"{PLAN_INPUT}; and {CARE_SETTING_INPUT}",
            "the report is the only source found that gives the 9,000; neither the plan's community-nurse "
            "levels nor an official community-nurse series for 2021/22 was found, so it can be neither "
            "found as published nor "
            "recomputed. The chart draws it as the report's statement",
        ),
    }
