"""Figure 1: average NHS activity a day, by setting.

The report's Figure 1 says most daily NHS activity happens in general practice
and the community. The figure itself could not be read; the settings here are
the ones The King's Fund's own activity pages count (general practice,
community services, outpatients, A&E, admissions, NHS 111 and ambulance), and
the years are 2018/19 (the report's comparator) and 2022/23.

Counting rules, each stated in the book:

* A year's figure is a published annual total where one was found, otherwise
  the sum of its twelve published monthly values. A year with fewer than twelve
  months is left empty, never filled in.
* The daily average divides by the calendar days of the financial year (365
  for both years shown). Working days would give a different number for
  services that close at weekends; the report does not say which it used.
* General practice is the National Audit Office's "reported appointments" in
  both years, so the two years are on one basis. NHS England's own 2018/19
  comparator is higher; :func:`gp_hypotheses` sets the published totals side by
  side, and :mod:`kfanalysis.figures.fig1_gp_bases` tests every candidate basis,
  monthly windows included, against the report's two numbers.
* No annual NHS 111 total was found for either year. The setting stays in the
  table with empty values, and shares are of the settings that have data.
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
from kfanalysis.published import ClaimResult, Computed, tolerance
from kfanalysis.schemas import validate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig1_activity"
#: The raw tables this figure reads (and no others).
INPUTS = ("nhs_activity",)
#: The report's comparator year and its latest year.
YEARS = ("2018/19", "2022/23")
#: The measure plotted for each setting; None where no published series was found.
MEASURE_OF_SETTING: dict[str, str | None] = {
    "general practice": "appointments, reported",
    "community services": "care contacts",
    "outpatients": "outpatient appointments attended",
    "A&E": "A&E attendances, all department types",
    "hospital admissions": "finished admission episodes",
    "ambulance": "incidents",
    "NHS 111": None,
}
PRIMARY_AND_COMMUNITY = ("general practice", "community services")
_NAO = "appointments, reported"
_NHSE_TOTAL = "appointments excluding COVID-19 vaccinations, 12 months"
_NHSE_INCREASE = "increase on 2018/19 in appointments excluding COVID-19 vaccinations, 12 months"


def days_in(year: str) -> int:
    """Calendar days from 1 April to 31 March: 366 when the year contains 29 February."""
    fy = FinancialYear.parse(year)
    return (date(fy.end_year, 4, 1) - date(fy.start_year, 4, 1)).days


def annual_totals(activity: pl.DataFrame) -> pl.DataFrame:
    """One annual figure per setting, measure, year and source.

    A published annual total is taken as it is. Monthly values are summed only
    when all twelve months of the financial year are present; the sum is then
    labelled as such. Where a source gives both, the published total wins.
    """
    published = activity.filter(pl.col("period") == pl.col("financial_year")).select(
        "setting",
        "activity_measure",
        "financial_year",
        "source_id",
        pl.col("activity_count").cast(pl.Float64).alias("annual_count"),
        pl.lit("published annual total").alias("how_annual"),
    )
    monthly = (
        activity.filter(pl.col("period") != pl.col("financial_year"))
        .group_by("setting", "activity_measure", "financial_year", "source_id")
        .agg(pl.col("activity_count").sum().cast(pl.Float64).alias("annual_count"), pl.len().alias("months"))
        .filter(pl.col("months") == 12)
        .select(
            "setting",
            "activity_measure",
            "financial_year",
            "source_id",
            "annual_count",
            pl.lit("sum of 12 published monthly values").alias("how_annual"),
        )
    )
    have_total = published.select("setting", "activity_measure", "financial_year")
    summed = monthly.join(have_total, on=["setting", "activity_measure", "financial_year"], how="anti")
    return pl.concat([published, summed]).sort("setting", "activity_measure", "financial_year", "source_id")


def build(root: Path | str | None = None) -> pl.DataFrame:
    """Build the Figure 1 table from data/raw.

    Returns:
        One row per year in ``YEARS`` and setting, in chart order. A setting with no
        published figure for a year keeps empty values (a gap, not a zero).

    Raises:
        FigureInputError: If general practice or community services, on which the
            report's claim rests, has no figure for a year.
    """
    annual = annual_totals(load("nhs_activity", root))
    rows = []
    for year in YEARS:
        for setting, measure in MEASURE_OF_SETTING.items():
            found = annual.filter(
                (pl.col("setting") == setting)
                & (pl.col("activity_measure") == (measure or ""))
                & (pl.col("financial_year") == year)
            )
            if found.height > 1:
                raise FigureInputError(
                    f"data/raw/nhs_activity.csv: {found.height} sources give {setting} ({measure}) "
                    f"for {year}: {', '.join(found['source_id'])}\n"
                    "  Fix: keep one source per setting, measure and year, or give the others a different "
                    "activity_measure."
                )
            hit = found.row(0, named=True) if found.height else None
            rows.append(
                {
                    "financial_year": year,
                    "setting": setting,
                    "is_primary_or_community": setting in PRIMARY_AND_COMMUNITY,
                    "activity_measure": measure if hit else None,
                    "annual_count": hit["annual_count"] if hit else None,
                    "how_annual": hit["how_annual"] if hit else None,
                    "days_in_year": days_in(year),
                    "source_id": hit["source_id"] if hit else None,
                }
            )
    table = (
        pl.DataFrame(rows, schema_overrides={"annual_count": pl.Float64, "activity_measure": pl.String})
        .with_columns((pl.col("annual_count") / pl.col("days_in_year")).alias("per_day"))
        .with_columns(
            (100 * pl.col("per_day") / pl.col("per_day").sum().over("financial_year")).alias(
                "share_of_day_pct"
            )
        )
        .select(fields.table(TABLE).columns)
    )
    _check_needed(table)
    return validate(TABLE, table)


def _check_needed(table: pl.DataFrame) -> None:
    """Stop with a fix-it message if a setting the claims rest on is empty."""
    empty = table.filter(pl.col("is_primary_or_community") & pl.col("per_day").is_null())
    if empty.height:
        gaps = ", ".join(f"{r['setting']} {r['financial_year']}" for r in empty.iter_rows(named=True))
        raise FigureInputError(
            f"data/raw/nhs_activity.csv has no annual figure for {gaps}\n"
            "  Fix: add the published annual total, or all twelve monthly values, with their source."
        )


def per_day(table: pl.DataFrame, year: str, setting: str) -> float:
    """Average activity a day for one setting and year (NaN when there is no figure)."""
    value = table.filter((pl.col("financial_year") == year) & (pl.col("setting") == setting))["per_day"][0]
    return float("nan") if value is None else float(value)


def primary_and_community_share(table: pl.DataFrame, year: str) -> float:
    """General practice and community services as a share (%) of the settings with data."""
    inside, outside = _split_per_day(table, year)
    return 100 * inside / (inside + outside)


def missing_settings(table: pl.DataFrame, year: str) -> list[str]:
    """Settings with no published figure for the year."""
    rows = table.filter((pl.col("financial_year") == year) & pl.col("per_day").is_null())
    return rows["setting"].to_list()


def majority_margin(table: pl.DataFrame, year: str) -> float:
    """How many contacts a day the missing settings would need before primary and community fell to half.

    Primary and community stay above half of the total as long as the missing
    settings together add less than this. It is a threshold, not an estimate of them.
    """
    inside, outside = _split_per_day(table, year)
    return inside - outside


def _split_per_day(table: pl.DataFrame, year: str) -> tuple[float, float]:
    """Activity a day in (general practice and community, everything else with data) for one year."""
    rows = table.filter((pl.col("financial_year") == year) & pl.col("per_day").is_not_null())
    totals = rows.group_by("is_primary_or_community").agg(pl.col("per_day").sum())
    by_flag = dict(zip(totals["is_primary_or_community"], totals["per_day"], strict=True))
    return float(by_flag.get(True, 0.0)), float(by_flag.get(False, 0.0))


def gp_hypotheses(root: Path | str | None = None) -> pl.DataFrame:
    """The published general practice totals each year, as a day's average, to set beside the report's.

    Each row is one published basis: the NAO's reported appointments for both
    years, and NHS England's 2018/19 comparator (its twelve-month total to March
    2024 less the increase it states on 2018/19). The report's own numbers are
    not inputs here; the book sets them beside these.
    """
    activity = load("nhs_activity", root)
    annual = annual_totals(activity).filter(pl.col("setting") == "general practice")
    rows = [
        {
            "basis": f"NAO, reported appointments ({r['financial_year']})",
            "financial_year": r["financial_year"],
            "annual_count": r["annual_count"],
            "rounding_count": _half_unit(
                activity, r["source_id"], "appointments, reported", r["financial_year"]
            ),
        }
        for r in annual.filter(pl.col("activity_measure") == _NAO).iter_rows(named=True)
    ]
    total = annual.filter(pl.col("activity_measure") == _NHSE_TOTAL)
    increase = annual.filter(pl.col("activity_measure") == _NHSE_INCREASE)
    if total.height == 1 and increase.height == 1:
        rows.append(
            {
                "basis": "NHS England, 2018/19 comparator (12 months to March 2024 less the stated increase)",
                "financial_year": "2018/19",
                "annual_count": total["annual_count"][0] - increase["annual_count"][0],
                # A difference of two rounded numbers can be out by both halves.
                "rounding_count": _half_unit(activity, total["source_id"][0], _NHSE_TOTAL, "2023/24")
                + _half_unit(activity, increase["source_id"][0], _NHSE_INCREASE, "2023/24"),
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "basis": pl.String,
            "financial_year": pl.String,
            "annual_count": pl.Float64,
            "rounding_count": pl.Float64,
        },
    )
    return frame.with_columns(
        pl.col("financial_year").map_elements(days_in, return_dtype=pl.Int64).alias("days_in_year")
    ).with_columns(
        (pl.col("annual_count") / pl.col("days_in_year")).alias("per_day"),
        # The published rounding, spread over the year's days.
        (pl.col("rounding_count") / pl.col("days_in_year")).alias("per_day_rounding"),
    )


def _half_unit(activity: pl.DataFrame, source_id: str, measure: str, year: str) -> float:
    """Half a unit in the last digit a value was published to (0.05 million for "307.3 million")."""
    row = activity.filter(
        (pl.col("source_id") == source_id)
        & (pl.col("activity_measure") == measure)
        & (pl.col("period") == year)
    )
    return tolerance(int(row["precision_decimals"][0]))


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    first, last = (primary_and_community_share(table, year) for year in YEARS)
    return (
        f"General practice and community services carried {last:.0f}% of daily NHS activity in {YEARS[1]} "
        f"({change_word(first, last, 'up', 'down', 'as')} from {first:.0f}% in {YEARS[0]}), counting the "
        "settings with data"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Draw activity a day by setting, the two years side by side, primary and community set apart.

    The report's GP appointments a day and its "more than half" are marked where they fall.
    """
    import seaborn as sns
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    palette = sns.color_palette("colorblind")
    settings = list(MEASURE_OF_SETTING)
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(11, 7))
        bars, shares = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.6]})
    height = 0.38
    for offset, year, shade in ((-height / 2, YEARS[0], 0.45), (height / 2, YEARS[1], 1.0)):
        rows = {r["setting"]: r for r in table.filter(pl.col("financial_year") == year).iter_rows(named=True)}
        for position, setting in enumerate(settings):
            row = rows[setting]
            colour = palette[0] if row["is_primary_or_community"] else palette[7]
            if row["per_day"] is None:
                if offset > 0:
                    bars.annotate(
                        "no published annual total found",
                        (0, position),
                        xytext=(5, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize=8,
                        style="italic",
                    )
                continue
            bars.barh(position + offset, row["per_day"], height=height, color=colour, alpha=shade)
            if offset < 0:  # one label a setting, on the newer year, so each can be read
                continue
            bars.text(
                row["per_day"] + 8000,
                position + offset,
                f"{row['per_day']:,.0f}",
                va="center",
                fontsize=7,
            )
    bars.set_yticks(range(len(settings)), settings)
    bars.set_ylim(len(settings) - 0.4, -0.6)  # top to bottom, every row clear of the frame
    bars.grid(axis="y", visible=False)  # no gridline through the value labels
    bars.set_xlabel("Average a day (annual total / calendar days)")
    bars.xaxis.set_major_formatter(lambda x, _pos: f"{x / 1000:,.0f}k")
    bars.set_xlim(0, float(table["per_day"].drop_nulls().max()) * 1.35)  # type: ignore[arg-type]
    bars.legend(
        handles=[
            Patch(color=palette[0], label="general practice and community"),
            Patch(color=palette[7], label="hospital and emergency services"),
            Patch(color="grey", alpha=0.45, label=f"lighter bar: {YEARS[0]}"),
        ],
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=2,
    )
    bars.set_title("Activity a day by setting", fontsize=10)

    for position, year in enumerate(YEARS):
        share = primary_and_community_share(table, year)
        shares.bar(position, share, color=palette[0], width=0.6)
        shares.bar(position, 100 - share, bottom=share, color=palette[7], width=0.6)
        shares.text(position, share / 2, f"{share:.0f}%", ha="center", va="center", color="white", fontsize=9)
    shares.axhline(50, color="black", linewidth=0.8, linestyle="--")
    report = report_values(claims(table), root)
    mark_report(
        bars,
        report["fig1_gp_appointments_per_day_2022_23"],
        settings.index("general practice") + height / 2,
        f"{report['fig1_gp_appointments_per_day_2022_23']:,.0f}",
    )
    mark_report(shares, 0.5, report["fig1_majority_daily_activity_gp_community"], "over half", off_bars=False)
    shares.set_xticks(range(len(YEARS)), YEARS)
    shares.set_ylim(0, 100)
    shares.set_ylabel("Share of the settings with data (%)")
    shares.set_title("General practice and community share", fontsize=10)
    add_source_line(
        figure,
        "Sources: NAO (general practice, reported appointments); NHS Digital CSDS; HES via a written answer "
        "(outpatients attended, admission episodes); NHS England A&E and AmbSYS. NHS 111: not found.",
    )
    finish(figure, finding(table))
    return figure


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 1's published numbers from the built table."""
    first, last = YEARS
    gp_last, gp_first = per_day(table, last, "general practice"), per_day(table, first, "general practice")
    missing = missing_settings(table, last)
    share = primary_and_community_share(table, last)
    return {
        "fig1_gp_appointments_per_day_2022_23": Computed(
            value=gp_last,
            method=f"NAO's reported appointments in general practice in {last} over {days_in(last)} days",
            why_differs="the report's figure is about 5% below the NAO's 336 million reported "
            "appointments a year (rounded to the nearest million) and matches no published 2022/23 "
            "total found. Of the candidate bases tested (fig1_gp_bases, in the chapter), the nearest is "
            "the twelve months July 2021 to June 2022 of NHS Digital's monthly national totals, all "
            "statuses, as compiled from the sub-ICB files: 876,386 a day, 222 (0.03%) above the "
            "report's figure, so it does not round to it, and it is a sum of a compilation's months, not "
            "a published total; the financial year 2022/23 on that basis gives 920,682 a day. The split "
            "by appointment status or without COVID-19 vaccinations was not found",
        ),
        "fig1_gp_appointments_per_day_change_2018_19": Computed(
            value=gp_last - gp_first,
            method=f"NAO's reported appointments a day, {last} less {first}",
            why_differs="on the NAO's single basis the rise is much larger; the report's 2018/19 "
            "figure matches NHS England's higher 2018/19 comparator instead (see the chapter), while "
            "its 2022/23 figure is below the NAO's, so its two ends do not share one published basis. "
            "The nearest candidate pair tested is the twelve months July 2021 to June 2022 of NHS "
            "Digital's monthly national totals less NHS England's comparator: 34,468 a day, 249 (0.7%) "
            "above the report's figure, inside the comparator's rounding (274 a day either way) but "
            "resting on a compilation's months, not a published total",
        ),
        "fig1_majority_daily_activity_gp_community": Computed(
            value=share,
            method=f"general practice and community services as a share of average activity a day in {last}, "
            f"over the settings with a published figure (not found: {', '.join(missing) or 'none'}); the "
            f"missing settings would need more than {majority_margin(table, last):,.0f} a day together to "
            "bring it to half",
            why_differs="",
        ),
    }


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    first, last = YEARS
    parts = []
    for row in table.filter(pl.col("financial_year") == last).iter_rows(named=True):
        value = "no published figure" if row["per_day"] is None else f"{row['per_day']:,.0f} a day"
        parts.append(f"{row['setting']} {value}")
    return (
        f"Horizontal bar chart of average NHS activity a day in England by setting, {first} and {last}. "
        f"In {last}: " + "; ".join(parts) + ". Beside it, general practice and community services make up "
        f"{primary_and_community_share(table, first):.0f}% of the settings with data in {first} and "
        f"{primary_and_community_share(table, last):.0f}% in {last}, against a dashed line at 50%."
    )
