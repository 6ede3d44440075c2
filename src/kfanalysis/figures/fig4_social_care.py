"""Figure 4: councils spend more on adult social care, yet fewer people get long-term support.

Our reading of the report's chart (its data are not published) is that it
indexes these series to 2015/16 = 100; NHS Digital starts its own time series
in 2015-16 because the first year of the Short and Long Term (SALT) return,
2014-15, had data-quality problems:

* councils' gross current expenditure (GCE) on adult social care, in real terms
  at 2021/22 prices (the project deflator);
* clients receiving long-term support at any time in the year;
* probably also requests for support from new clients.

Choices, each stated in the book:

* Where several publications give the same year, the most precise figure is
  used (one published to £0.01bn wins over one published to £0.1bn), then the
  newest edition. Some years were found only rounded; the table carries the
  precision so readers can see the uncertainty it adds (the chapter computes
  the largest share of a year's spending that the rounding can hide).
* 2020/21 and 2021/22 include one-off Covid-19 funding, and the 2020/21 count of
  people supported includes people placed under the NHS hospital discharge
  scheme. No official series without them was found, so they are kept and
  marked, not removed.
* A year whose deflator or base value is missing gets an empty index, never a
  guessed one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import (
    add_source_line,
    finish,
    mark_breaks,
    mark_report,
    report_values,
    shade,
    shade_newer_years,
    with_gaps,
)
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.paths import project_paths
from kfanalysis.periods import FinancialYear
from kfanalysis.prices import deflator, real_column_name, to_real_terms
from kfanalysis.published import ClaimResult, Computed, Missing
from kfanalysis.schemas import validate
from kfanalysis.sources import read_sources
from kfanalysis.trends import LineFit, fit_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig4_social_care"
#: The raw tables this figure reads (and no others).
INPUTS = (
    "asc_expenditure",
    "asc_activity",
    "asc_real_change_published",
    "gdp_deflator",
    "gdp_deflator_2023_06",
)

#: Claims stated in real terms: the ledger recomputes them under every deflator edition held.
REAL_TERMS_CLAIMS = ("fig4_real_spend_up_since_2015_16",)
BASE_YEAR = "2015/16"
#: Our reading of the chart's end year: the methods annex says financial data often stop at
#: 2021/22; the figure's own end year is not stated.
REPORT_LAST = "2021/22"
#: The latest year any edition available before the report (February 2024) covered.
LATEST_BEFORE_REPORT = "2022/23"
COVID_YEARS = ("2020/21", "2021/22")
#: The first year whose activity counts come from client level data (CLD) instead of the SALT
#: return: DHSC's Adult social care activity report, England: 2024 to 2025 (October 2025) is built
#: from CLD and calls the change of source significant. Counts from then on are a new series, so
#: none is joined to the SALT years; the table flags the break instead of hiding it.
CLIENT_LEVEL_DATA_FROM = "2024/25"
ACTIVITY_BREAK_NOTE = (
    "activity from client level data, not the SALT return: a break in series, so no count is joined "
    "to the earlier years"
)
LTS = "long-term support during the year"
REQUESTS = "requests for support from new clients"
YEAR_END = "long-term support at year end (31 March)"
ST_MAX = "short-term support to maximise independence (ST-Max), completed episodes"
#: The Social care 360 claim of people supported, and every official count it is tested on, in order;
#: the first is the ledger's value, the others are the alternatives the official tables give.
SC360_SUPPORTED_CLAIM = "fig4_sc360_supported_change_2015_16_2022_23"
SUPPORTED_BASES: dict[str, tuple[str, ...]] = {
    "people receiving long-term support during the year": (LTS,),
    "people receiving long-term support at year end (31 March)": (YEAR_END,),
    "long-term support during the year plus completed short-term (ST-Max) episodes": (LTS, ST_MAX),
}
#: Series plotted, with the labels readers see.
SERIES = {
    "gce_real_index": "Gross current expenditure, real terms (2021/22 prices)",
    "long_term_support_index": "People receiving long-term support during the year",
    "requests_index": "Requests for support from new clients",
}


def _best_rows(frame: pl.DataFrame, group: list[str], root: Path | str | None) -> pl.DataFrame:
    """One row per group: the most precise figure, then the most recently published edition."""
    published = {s.id: s.date_published for s in read_sources(project_paths(root)).values()}
    return (
        frame.with_columns(pl.col("source_id").replace_strict(published, default="").alias("_published"))
        .sort([*group, "precision_decimals", "_published"])
        .group_by(group, maintain_order=True)
        .last()
        .drop("_published")
    )


def activity_counts(
    activity: pl.DataFrame, measure: str, name: str, root: Path | str | None = None
) -> pl.DataFrame:
    """Each year's count for one measure, from the most exact figure NHS Digital published.

    The order of preference is: an all-ages total published to the unit; else the sum of the
    two published age bands (18-64 and 65 and over, each rounded to 5, so the sum can be a few
    units off the unpublished total); else an all-ages total published rounded (to the nearest
    thousand or 0.1 million). A rounded total can move a year the wrong way: 2016/17 requests
    rounded to 1.8 million look like a fall from 2015/16, while the age bands show the rise of
    0.2% that NHS Digital reported.

    Returns:
        ``financial_year``, ``{name}_count`` and ``{name}_basis``, one row per year.
    """
    totals = _best_rows(activity.filter(pl.col("measure") == measure), ["financial_year"], root)
    bands = (
        activity.filter(pl.col("measure").is_in([f"{measure}, aged 18-64", f"{measure}, aged 65 and over"]))
        .group_by("financial_year")
        .agg(pl.col("activity_count").sum().alias("band_sum"), pl.len().alias("bands"))
        .filter(pl.col("bands") == 2)
    )
    exact = pl.col("precision_decimals") >= 0
    return (
        totals.join(bands, on="financial_year", how="full", coalesce=True)
        .with_columns(
            pl.when(exact)
            .then(pl.col("activity_count"))
            .when(pl.col("band_sum").is_not_null())
            .then(pl.col("band_sum"))
            .otherwise(pl.col("activity_count"))
            .cast(pl.Int64)
            .alias(f"{name}_count"),
            pl.when(exact)
            .then(pl.lit("published total"))
            .when(pl.col("band_sum").is_not_null())
            .then(pl.lit("sum of age bands"))
            .otherwise(pl.lit("rounded published total"))
            .alias(f"{name}_basis"),
        )
        .select("financial_year", f"{name}_count", f"{name}_basis")
        .sort("financial_year")
    )


def _index(column: str, name: str) -> pl.Expr:
    """Index a column to its value in the base year (2015/16 = 100)."""
    base = pl.col(column).filter(pl.col("financial_year") == BASE_YEAR).first()
    return (pl.col(column) / base * 100.0).alias(name)


def build(root: Path | str | None = None, deflator_edition: str | None = None) -> pl.DataFrame:
    """Build the Figure 4 table from data/raw.

    Args:
        root: Project root; found from the working directory if omitted.
        deflator_edition: HM Treasury deflator edition for real terms (March 2023 if omitted);
            the ledger rebuilds with each other edition held to see whether a claim survives it.

    Returns:
        One row per financial year from 2015/16 to the latest year published, with cash and
        real spending, the two activity counts and each series indexed to 2015/16.

    Raises:
        FigureInputError: If the base year lacks spending or long-term support.
    """
    spending = _best_rows(
        load("asc_expenditure", root).filter(pl.col("price_basis") == "cash"), ["financial_year"], root
    )
    # SALT years only: a count from client level data would join a different series to this one.
    activity = load("asc_activity", root).filter(pl.col("financial_year") < CLIENT_LEVEL_DATA_FROM)
    counts = {
        name: activity_counts(activity, measure, name, root)
        for name, measure in (("long_term_support", LTS), ("requests", REQUESTS))
    }
    years = sorted(set(spending["financial_year"]) | set(activity["financial_year"]))
    years = [y for y in years if y >= BASE_YEAR]
    spine = pl.DataFrame({"financial_year": years}, schema={"financial_year": pl.String})
    index = deflator(root=root, edition=deflator_edition)
    table = (
        spine.join(
            spending.select(
                "financial_year",
                pl.col("gross_current_expenditure_gbp_bn").alias("gce_cash_gbp_bn"),
                pl.col("precision_decimals").alias("gce_precision_decimals"),
            ),
            on="financial_year",
            how="left",
        )
        .join(counts["long_term_support"], on="financial_year", how="left")
        .join(counts["requests"], on="financial_year", how="left")
    )
    table = to_real_terms(
        table, "gce_cash_gbp_bn", index=index, allow_forecast=True, price_basis=None
    ).rename({real_column_name("gce_cash_gbp_bn"): "gce_real_2021_22_gbp_bn"})
    chained = index.select(
        "financial_year",
        pl.col("is_chained").alias("is_deflator_chained"),
        pl.col("is_forecast").alias("is_deflator_forecast"),
    )
    has_real = pl.col("gce_real_2021_22_gbp_bn").is_not_null()
    table = table.join(chained, on="financial_year", how="left").with_columns(
        pl.when(has_real).then(pl.col("is_deflator_chained")),
        pl.when(has_real).then(pl.col("is_deflator_forecast")),
    )
    _check_base_year(table)
    table = table.with_columns(
        _index("gce_real_2021_22_gbp_bn", "gce_real_index"),
        _index("long_term_support_count", "long_term_support_index"),
        _index("requests_count", "requests_index"),
        pl.col("financial_year").is_in(COVID_YEARS).alias("is_covid_year"),
        (pl.col("financial_year") > LATEST_BEFORE_REPORT).alias("is_newer_than_report"),
        (pl.col("financial_year") >= CLIENT_LEVEL_DATA_FROM).alias("is_activity_series_break"),
        pl.when(pl.col("financial_year") >= CLIENT_LEVEL_DATA_FROM)
        .then(pl.lit(ACTIVITY_BREAK_NOTE))
        .alias("series_note"),
    )
    return validate(TABLE, table.select(fields.table(TABLE).columns).sort("financial_year"))


def _check_base_year(table: pl.DataFrame) -> None:
    """Every index needs its 2015/16 value; spending and people supported cannot do without it."""
    base = table.filter(pl.col("financial_year") == BASE_YEAR)
    lacking = [
        c
        for c in ("gce_real_2021_22_gbp_bn", "long_term_support_count")
        if base.height == 0 or base[c][0] is None
    ]
    if lacking:
        raise FigureInputError(
            f"Figure 4 needs {BASE_YEAR} values of {', '.join(lacking)} to index the series\n"
            "  Fix: add the 2015/16 figure to data/raw/asc_expenditure.csv or asc_activity.csv, "
            "with its source."
        )


def change_since_base(table: pl.DataFrame, column: str, year: str) -> float | None:
    """Percentage change of an indexed series from 2015/16 to ``year``; None if either is missing."""
    value = table.filter(pl.col("financial_year") == year)[column]
    if value.len() == 0 or value[0] is None:
        return None
    return float(value[0]) - 100.0


def trend_fits(table: pl.DataFrame, last: str = LATEST_BEFORE_REPORT) -> dict[str, LineFit]:
    """Straight-line trend of each index, and of the gap between spending and people supported.

    The gap's slope answers the issue a reader cares about: is the divergence since 2015/16
    a steady trend, larger than the year-to-year noise, or could it be noise? If its
    confidence interval excludes zero, the divergence is more than noise.

    Returns:
        Fits keyed by series name and "gap" (real spending index minus support index),
        with x in years since 2015/16.
    """
    period = table.filter(pl.col("financial_year") <= last)
    start = FinancialYear.parse(BASE_YEAR)
    x = [FinancialYear.parse(y) - start for y in period["financial_year"]]
    fits = {
        name: fit_line(x, period[name].to_list()) for name in SERIES if period[name].drop_nulls().len() >= 3
    }
    gap = (period["gce_real_index"] - period["long_term_support_index"]).to_list()
    fits["gap"] = fit_line(x, gap)
    return fits


def real_change_comparison(table: pl.DataFrame, root: Path | str | None = None) -> pl.DataFrame:
    """Our real-terms year-on-year change in spending against the one NHS Digital published.

    Differences come from the deflator vintage (each edition used the HM Treasury deflator
    current at the time) and from cash figures published only to £0.1bn.
    """
    ours = table.select(
        "financial_year",
        ((pl.col("gce_real_2021_22_gbp_bn") / pl.col("gce_real_2021_22_gbp_bn").shift(1) - 1) * 100).alias(
            "ours_real_change_pct"
        ),
    )
    theirs = load("asc_real_change_published", root).select(
        "financial_year", pl.col("gce_real_change_pct").alias("published_real_change_pct"), "source_id"
    )
    return (
        theirs.join(ours, on="financial_year", how="left")
        .with_columns(
            (pl.col("ours_real_change_pct") - pl.col("published_real_change_pct")).alias(
                "difference_pct_points"
            )
        )
        .select(
            "financial_year",
            "published_real_change_pct",
            "ours_real_change_pct",
            "difference_pct_points",
            "source_id",
        )
    )


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    spend = change_since_base(table, "gce_real_index", REPORT_LAST)
    support = change_since_base(table, "long_term_support_index", REPORT_LAST)
    if spend is None or support is None:
        return f"Councils' adult social care from {BASE_YEAR}: real spending and people supported"

    spent = "more" if spend >= 0 else "less"
    people = "fewer" if support < 0 else "more"
    return (
        f"By {REPORT_LAST} councils spent {abs(spend):.1f}% {spent} on adult social care in real terms "
        f"than in {BASE_YEAR}, yet {abs(support):.1f}% {people} people got long-term support"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Draw the three indexed series, with the Covid-19 years shaded and gaps left open.

    The changes to 2022/23 that the report publishes are marked where they would fall.
    """
    import seaborn as sns
    from matplotlib.figure import Figure

    palette = sns.color_palette("colorblind")
    years = table["financial_year"].to_list()
    positions = list(range(len(years)))
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(9, 4.8))
        axes = figure.subplots()
    shade(
        axes,
        table["is_covid_year"].to_list(),
        "Covid-19 years (one-off funding included)",
        color="0.92",
        zorder=0,
    )
    shade_newer_years(axes, table["is_newer_than_report"].to_list())
    for colour, marker, (column, label) in zip(palette, ("o", "s", "^"), SERIES.items(), strict=False):
        axes.plot(positions, with_gaps(table[column].to_list()), marker=marker, color=colour, label=label)
    forecast = table.with_row_index("position").filter(pl.col("is_deflator_forecast").fill_null(False))
    axes.scatter(
        forecast["position"].to_list(),
        forecast["gce_real_index"].to_list(),
        s=90,
        facecolors="none",
        edgecolors="0.2",
        zorder=4,
        label="Real terms on forecast deflator years (March 2023 edition)",
    )
    mark_breaks(
        axes, table["is_activity_series_break"].to_list(), "Activity series break (client level data)"
    )
    axes.axhline(100, color="0.4", linewidth=0.8)
    marked = {
        SC360_SUPPORTED_CLAIM: "people supported",
        "fig4_sc360_requests_change_2015_16_2022_23": "requests",
    }
    # The supported claim is tested from raw tables (its other bases), not from the figure's claims.
    report = report_values(marked, root)
    for claim_id, what in marked.items():
        mark_report(
            axes,
            years.index(LATEST_BEFORE_REPORT),
            100 + report[claim_id],
            f"{report[claim_id]:+.0f}% {what}",
        )
    axes.set_xticks(positions, years)
    axes.tick_params(axis="x", rotation=45)
    axes.set_xlabel("Financial year")
    axes.set_ylabel("Index, 2015/16 = 100")
    axes.set_title("Councils' adult social care: real spending, people supported and requests", fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    add_source_line(
        figure,
        "Sources: NHS Digital / NHS England, Adult Social Care Activity and Finance "
        "Report; HM Treasury GDP deflator (March 2023). England.",
    )
    finish(figure, finding(table))
    return figure


def _change_claim(
    table: pl.DataFrame, column: str, year: str, method: str, why_differs: str, missing: str
) -> ClaimResult:
    """A claim about the change in an indexed series since 2015/16, or Missing if it cannot be computed."""
    value = change_since_base(table, column, year)
    if value is None:
        return Missing(missing, f"no {year} or {BASE_YEAR} value in data/raw")
    return Computed(value, f"{method}, {BASE_YEAR} to {year}", why_differs)


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 4's published numbers from the built table."""
    lts = "clients receiving long-term support during the year"
    return {
        "fig4_real_spend_up_since_2015_16": _change_claim(
            table,
            "gce_real_index",
            REPORT_LAST,
            "real gross current expenditure at 2021/22 prices, including one-off Covid-19 funding, "
            "which could not be separated",
            "real spending was not above its 2015/16 level",
            f"gross current expenditure for {REPORT_LAST}",
        ),
        "fig4_fewer_supported_since_2015_16": _change_claim(
            table,
            "long_term_support_index",
            REPORT_LAST,
            lts,
            "the count was not below its 2015/16 level",
            f"long-term support for {REPORT_LAST}",
        ),
        "fig4_sc360_requests_change_2015_16_2022_23": _change_claim(
            table,
            "requests_index",
            LATEST_BEFORE_REPORT,
            "requests for support from new clients",
            "requests are counted, not people, and no exact 2015/16 total was found: the base is the sum "
            "of NHS Digital's two published age bands",
            "total requests for support from new clients in 2015/16, as published by NHS Digital",
        ),
    }


def supported_change_bases(root: Path | str | None = None) -> pl.DataFrame:
    """The change in people supported, 2015/16 to 2022/23, on every basis the official tables give.

    Social care 360 says 2% fewer people received long-term support but not which count it used.
    NHS Digital publishes a count during the year, a count at 31 March, and completed short-term
    (ST-Max) episodes; each basis is one of these or a sum of them, each count taken as
    :func:`activity_counts` takes it (the exact total, else the sum of the age bands).

    Returns:
        basis, count_2015_16, count_2022_23 and change_pct, one row per basis, in the order of
        :data:`SUPPORTED_BASES`; a basis lacking a year has empty counts and change.
    """
    activity = load("asc_activity", root)
    counts: dict[str, dict[str, int]] = {}
    for measure in {m for measures in SUPPORTED_BASES.values() for m in measures}:
        frame = activity_counts(activity, measure, "n", root)
        counts[measure] = dict(zip(frame["financial_year"], frame["n_count"], strict=True))
    rows = []
    for basis, measures in SUPPORTED_BASES.items():
        ends = []
        for year in (BASE_YEAR, LATEST_BEFORE_REPORT):
            parts = [counts[m].get(year) for m in measures]
            ends.append(None if any(p is None for p in parts) else sum(p for p in parts if p is not None))
        first, last = ends
        change = None if first is None or last is None else 100 * (last / first - 1)
        rows.append({"basis": basis, "count_2015_16": first, "count_2022_23": last, "change_pct": change})
    return pl.DataFrame(
        rows,
        schema={
            "basis": pl.String,
            "count_2015_16": pl.Int64,
            "count_2022_23": pl.Int64,
            "change_pct": pl.Float64,
        },
        orient="row",
    )


def claims_from_raw(root: Path | str | None = None) -> dict[str, ClaimResult]:
    """Claims whose alternative bases rest on raw counts the figure's table does not hold."""
    bases = supported_change_bases(root)
    first = bases.row(0, named=True)
    if first["change_pct"] is None:
        return {
            SC360_SUPPORTED_CLAIM: Missing(
                f"{LTS} for {BASE_YEAR} and {LATEST_BEFORE_REPORT}",
                f"no {BASE_YEAR} or {LATEST_BEFORE_REPORT} value in data/raw",
            )
        }
    tried = "; ".join(
        f"{r['basis']}: " + ("not held" if r["change_pct"] is None else f"{r['change_pct']:+.1f}%")
        for r in bases.iter_rows(named=True)
    )
    return {
        SC360_SUPPORTED_CLAIM: Computed(
            float(first["change_pct"]),
            f"clients receiving long-term support during the year, {BASE_YEAR} to {LATEST_BEFORE_REPORT}",
            "Social care 360 does not say which count it used. Official bases tried "
            f"({BASE_YEAR} to {LATEST_BEFORE_REPORT}): {tried}. The last adds episodes to people, so it is "
            "a check of scale, not a count of people",
        )
    }


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    first, last = str(table["financial_year"].min()), str(table["financial_year"].max())
    spend = change_since_base(table, "gce_real_index", REPORT_LAST)
    support = change_since_base(table, "long_term_support_index", REPORT_LAST)
    requests = change_since_base(table, "requests_index", REPORT_LAST)

    def signed(value: float | None) -> str:
        return "not available" if value is None else f"{value:+.1f}%"

    return (
        f"Line chart, index 2015/16 = 100, {first} to {last}, of councils' real gross current spending on "
        f"adult social care, people receiving long-term support during the year, and requests for support. "
        f"By {REPORT_LAST} real spending had changed by {signed(spend)}, people supported by "
        f"{signed(support)} and requests by {signed(requests)} since 2015/16. "
        "Covid-19 years 2020/21 and 2021/22 are shaded." + _flags_text(table)
    )


def _flags_text(table: pl.DataFrame) -> str:
    """The forecast-deflator years and the activity break, in words, for the alt text."""
    forecast = table.filter(pl.col("is_deflator_forecast").fill_null(False))["financial_year"].to_list()
    breaks = table.filter(pl.col("is_activity_series_break"))["financial_year"].to_list()
    text = ""
    if forecast:
        text += f" Real spending for {', '.join(forecast)} rests on forecast deflator years and is ringed."
    if breaks:
        text += (
            f" From {breaks[0]} activity comes from client level data, a break in series marked by a dashed "
            "line; no count is drawn from then."
        )
    return text
