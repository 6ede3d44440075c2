"""Figure 7: the social care vacancy rate against the unemployment rate.

The report's chart sets the adult social care vacancy rate (Skills for Care)
beside the unemployment rate; its title says the first is rising while the
second falls. The report gives no years or sources for it; 2012/13 to 2022/23
is our reading, from The King's Fund's Social care 360 chart of the same name.

Two choices shape the table, and both are stated in the book:

* Skills for Care revises its whole back series every year, and no single
  edition with every year was found. Each year's rate and count come from one
  edition: the newest edition read that gives that year's rate
  (``edition_data_to``), with the count that same edition gives (empty where it
  gives none). A rate and a count from different editions are never paired.
* The report's title says England, but no England unemployment series could be
  read; the UK series is used and labelled as such, unless a complete England
  series is added to data/raw, in which case it is preferred.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import (
    add_source_line,
    change_word,
    finish,
    mark_breaks,
    mark_report,
    min_font_pt,
    place_labels,
    report_values,
    shade_newer_years,
    with_gaps,
)
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.periods import FinancialYear
from kfanalysis.published import ClaimResult, Found, Missing
from kfanalysis.schemas import validate
from kfanalysis.trends import LineFit, fit_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig7_vacancies"
#: The raw tables this figure reads (and no others).
INPUTS = ("social_care_vacancies", "unemployment_rate", "quoted_estimates")
#: The claim that quotes Skills for Care's projection, and the raw row that holds it.
EXTRA_STAFF_CLAIM, EXTRA_STAFF_ESTIMATE = "fig7_social_care_extra_staff_by_2035", "asc_extra_jobs_by_2035"
#: The years the report's chart covers.
REPORT_FIRST, REPORT_LAST = FinancialYear.parse("2012/13"), FinancialYear.parse("2022/23")
#: Years for which the published claims need a vacancy count.
CLAIM_YEARS = ("2020/21", "2022/23")
#: Editions (by the last year they cover) that count a different set of posts from the editions
#: before them, and what differs. Skills for Care's 2025 edition (data to 2024/25) gives 1.6 million
#: filled posts, 3.4% up on the year, which cannot follow from the 2024 edition's 1,705,000 for
#: 2023/24; its employer shares also sum to 100% with no NHS share (see the raw row's note).
COVERAGE_CHANGES = {
    "2024/25": "Skills for Care's 2025 edition counts a different set of posts from earlier editions "
    "(its filled posts and their change on the year do not follow from the 2024 edition), so its rate is "
    "not a like-for-like continuation",
}


def _one_edition_per_year(vacancies: pl.DataFrame) -> pl.DataFrame:
    """For each year, the rate and count of the newest edition that gives that year's rate.

    Editions revise earlier years (2020/21: 105,000 vacant posts in the first estimate, 110,000
    a year later), so a rate from one edition beside a count from another would describe no
    published series.
    """
    return (
        vacancies.filter(pl.col("vacancy_rate_pct").is_not_null())
        .sort("financial_year", "edition_data_to")
        .group_by("financial_year", maintain_order=True)
        .last()
        .select(
            "financial_year",
            "edition_data_to",
            "vacancy_rate_pct",
            "sector",
            pl.col("source_id").alias("vacancy_rate_source_id"),
            "vacancies_count",
            pl.when(pl.col("vacancies_count").is_not_null())
            .then(pl.col("source_id"))
            .alias("vacancies_source_id"),
        )
    )


def _unemployment(unemployment: pl.DataFrame, years: list[str]) -> pl.DataFrame:
    """The unemployment series to plot: England if complete for the report's years, else the UK."""
    report_years = [str(y) for y in FinancialYear.range(REPORT_FIRST, REPORT_LAST)]
    for geography in ("England", "United Kingdom"):
        series = unemployment.filter(pl.col("geography") == geography)
        have = set(series["financial_year"])
        if all(y in have for y in report_years):
            return series.filter(pl.col("financial_year").is_in(years)).select(
                "financial_year",
                "unemployment_rate_pct",
                "geography",
                pl.col("source_id").alias("unemployment_source_id"),
            )
    gaps = {
        g: [
            y
            for y in report_years
            if y not in set(unemployment.filter(pl.col("geography") == g)["financial_year"])
        ]
        for g in ("England", "United Kingdom")
    }
    raise FigureInputError(
        "data/raw/unemployment_rate.csv: no geography has a rate for every year "
        f"{REPORT_FIRST} to {REPORT_LAST} (missing: {gaps})\n"
        "  Fix: add the January-March rate for the missing years from the ONS May bulletins."
    )


def build(root: Path | str | None = None) -> pl.DataFrame:
    """Build the Figure 7 table from data/raw.

    Returns:
        One row per financial year from 2012/13 to the latest year with a vacancy estimate.
        Years with no published estimate keep empty values: they are gaps, not zeros.

    Raises:
        FigureInputError: If a year the figure or its claims need is absent.
    """
    vacancies = load("social_care_vacancies", root)
    estimates = _one_edition_per_year(vacancies)
    last = max(FinancialYear.parse(y) for y in vacancies["financial_year"])
    years = [str(y) for y in FinancialYear.range(REPORT_FIRST, max(last, REPORT_LAST))]
    spine = pl.DataFrame({"financial_year": years}, schema={"financial_year": pl.String}).with_columns(
        (pl.col("financial_year") > str(REPORT_LAST)).alias("is_newer_than_report")
    )
    table = (
        spine.join(estimates, on="financial_year", how="left")
        .join(_unemployment(load("unemployment_rate", root), years), on="financial_year", how="left")
        .with_columns(
            pl.col("edition_data_to")
            .is_in(list(COVERAGE_CHANGES))
            .fill_null(False)
            .alias("is_edition_coverage_change"),
            pl.col("edition_data_to").replace_strict(COVERAGE_CHANGES, default=None).alias("series_note"),
        )
        .select(fields.table(TABLE).columns)
    )
    _check_needed_years(table)
    return validate(TABLE, table)


def _check_needed_years(table: pl.DataFrame) -> None:
    """Stop with a fix-it message if a year the figure or its claims rest on is empty."""
    by_year = {r["financial_year"]: r for r in table.iter_rows(named=True)}
    problems = []
    for year in (str(REPORT_FIRST), str(REPORT_LAST)):
        if by_year.get(year, {}).get("vacancy_rate_pct") is None:
            problems.append(f"vacancy rate for {year} (an end point of the report's chart)")
    for year in CLAIM_YEARS:
        if by_year.get(year, {}).get("vacancies_count") is None:
            problems.append(f"vacancy count for {year} (a published claim rests on it)")
    if problems:
        raise FigureInputError(
            "data/raw/social_care_vacancies.csv lacks " + "; ".join(problems) + "\n"
            "  Fix: add the Skills for Care estimate for that year, with its edition and source."
        )


def fit(table: pl.DataFrame, leave_out: str | None = None) -> LineFit:
    """Regress the vacancy rate on the unemployment rate over the report's years.

    With a handful of annual points the interval is wide; the book says so.

    Args:
        table: The Figure 7 table.
        leave_out: A financial year to drop, to show how much one point moves the slope.
    """
    period = table.filter(~pl.col("is_newer_than_report"))
    if leave_out is not None:
        period = period.filter(pl.col("financial_year") != leave_out)
    return fit_line(period["unemployment_rate_pct"].to_list(), period["vacancy_rate_pct"].to_list())


def sector_not_stated(table: pl.DataFrame) -> list[str]:
    """The report's years whose vacancy rate does not say which employers it covers (marked on the chart)."""
    period = table.filter(~pl.col("is_newer_than_report") & pl.col("vacancy_rate_pct").is_not_null())
    return period.filter(pl.col("sector") != "all sectors")["financial_year"].to_list()


def fit_all_sectors(table: pl.DataFrame) -> LineFit:
    """The same fit without the years whose sector is not stated: shown beside the fit with them."""
    kept = table.filter(~pl.col("financial_year").is_in(sector_not_stated(table)))
    return fit(kept)


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    rows = {r["financial_year"]: r for r in table.iter_rows(named=True)}
    first, last = rows[str(REPORT_FIRST)], rows[str(REPORT_LAST)]
    v0, v1 = first["vacancy_rate_pct"], last["vacancy_rate_pct"]
    u0, u1 = first["unemployment_rate_pct"], last["unemployment_rate_pct"]
    report = (
        f"Social care vacancies {change_word(v0, v1)} from {v0:.1f}% to {v1:.1f}% between {REPORT_FIRST} "
        f"and {REPORT_LAST}, while unemployment {change_word(u0, u1)} from {u0:.1f}% to {u1:.1f}%"
    )
    newer = table.filter(
        pl.col("is_newer_than_report")
        & pl.col("vacancy_rate_pct").is_not_null()
        & pl.col("unemployment_rate_pct").is_not_null()
    ).sort("financial_year")
    if newer.height == 0:
        return report
    # Since the report: the newest year with both rates, so the title carries what changed after it.
    now = newer.row(-1, named=True)
    v2, u2 = now["vacancy_rate_pct"], now["unemployment_rate_pct"]
    vacancies = change_word(v1, v2, "risen", "fallen", "held")
    unemployment = change_word(u1, u2, "risen", "fallen", "held")
    return (
        f"{report}; by {now['financial_year']} vacancies had {vacancies} to {v2:.1f}% and unemployment "
        f"had {unemployment} to {u2:.1f}%"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Draw the two rates over time (left) and against each other with the fitted line (right).

    The vacancy counts the report publishes are marked on the vacancy line in their years.
    """
    import seaborn as sns
    from matplotlib.figure import Figure

    palette = sns.color_palette("colorblind")
    geography = table["geography"].drop_nulls()
    geo = geography[0] if geography.len() else "unknown"
    years = table["financial_year"].to_list()
    positions = list(range(len(years)))
    series = (
        ("vacancy_rate_pct", "Adult social care vacancy rate, England", "o"),
        ("unemployment_rate_pct", f"Unemployment rate, {geo} (Jan-Mar)", "s"),
    )
    with sns.axes_style("whitegrid"):
        # A bare Figure, not pyplot: no global state, nothing shown twice in a notebook.
        figure = Figure(figsize=(11, 6.6))
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [5, 4]})
    for colour, (column, label, marker) in zip(palette, series, strict=False):
        left.plot(positions, with_gaps(table[column].to_list()), marker=marker, color=colour, label=label)
    for year in sector_not_stated(table):
        # Hollow, as on the right: this year's rate does not say which employers it covers.
        rate = table.filter(pl.col("financial_year") == year)["vacancy_rate_pct"][0]
        left.scatter([years.index(year)], [rate], facecolors="white", edgecolors=palette[0], zorder=4, s=36)
    shade_newer_years(left, table["is_newer_than_report"].to_list())
    mark_breaks(left, table["is_edition_coverage_change"].to_list(), "New edition: coverage differs")
    left.set_xticks(positions, years)
    left.set_xlabel("Financial year")
    left.set_ylabel("Per cent")
    left.tick_params(axis="x", rotation=45)
    left.set_ylim(bottom=0)
    left.legend(title=None, loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=8)
    left.set_title("Both rates by year (gaps: no published estimate)", fontsize=10)
    report = report_values(claims(table), root)
    for year in CLAIM_YEARS:
        row = table.filter(pl.col("financial_year") == year).row(0, named=True)
        published = report[f"fig7_vacancies_{year.replace('/', '_')}"]
        ours = (
            ""
            if row["vacancies_count"] == published
            else f" (Skills for Care: {row['vacancies_count']:,.0f})"
        )
        mark_report(left, years.index(year), row["vacancy_rate_pct"], f"{published:,.0f} vacant posts{ours}")

    fitted = fit(table)
    period = table.filter(~pl.col("is_newer_than_report")).drop_nulls(
        ["vacancy_rate_pct", "unemployment_rate_pct"]
    )
    xs = period["unemployment_rate_pct"].to_list()
    ys = period["vacancy_rate_pct"].to_list()
    unsure = sector_not_stated(table)
    stated = period.filter(~pl.col("financial_year").is_in(unsure))
    sns.scatterplot(
        x=stated["unemployment_rate_pct"].to_list(),
        y=stated["vacancy_rate_pct"].to_list(),
        color=palette[0],
        zorder=3,
        ax=right,
        s=40,
    )
    if unsure:
        # A rate whose employers are not stated may not belong on the all-sector line: drawn hollow.
        odd = period.filter(pl.col("financial_year").is_in(unsure))
        right.scatter(
            odd["unemployment_rate_pct"].to_list(),
            odd["vacancy_rate_pct"].to_list(),
            facecolors="white",
            edgecolors=palette[0],
            zorder=4,
            s=40,
            label=f"{', '.join(unsure)}: sector not stated",
        )
    grid = [min(xs) + (max(xs) - min(xs)) * i / 50 for i in range(51)]
    mean, low, high = fitted.predict(grid)
    right.plot(grid, mean, color=palette[2], label=f"Fit, all years (slope {fitted.slope:.2f})")
    if unsure:
        without = fit_all_sectors(table)
        # Drawn only over the points it was fitted to: no line beyond its own data.
        kept = stated["unemployment_rate_pct"].to_list()
        short = [min(kept) + (max(kept) - min(kept)) * i / 50 for i in range(51)]
        right.plot(
            short,
            without.predict(short)[0],
            color=palette[3],
            linestyle="--",
            label=f"Fit without {', '.join(unsure)} (slope {without.slope:.2f})",
        )
    right.fill_between(
        grid,
        low,
        high,
        color=palette[2],
        alpha=0.2,
        label=f"{fitted.confidence:.0%} confidence band (n = {fitted.n})",
    )
    right.set_xlabel(f"Unemployment rate, {geo}, Jan-Mar (%)")
    right.set_ylabel("Social care vacancy rate (%)")
    right.set_title("Vacancy rate against unemployment, report years", fontsize=10)
    # Room around the points for their labels, then the labels placed clear of the points,
    # each other, the legend and the frame.
    right.margins(x=0.15, y=0.18)
    legend = right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    add_source_line(
        figure,
        "Sources: Skills for Care workforce estimates (rate and count of each year from one "
        "edition, the newest read); ONS Labour Force Survey, series MGSX.",
    )
    finish(figure, finding(table))
    place_labels(
        right, xs, ys, period["financial_year"].to_list(), avoid=[legend], fontsize=min_font_pt(figure)
    )
    return figure


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 7's published numbers from the built table."""
    by_year = {r["financial_year"]: r for r in table.iter_rows(named=True)}
    results: dict[str, ClaimResult] = {}
    for year, claim_id in (("2020/21", "fig7_vacancies_2020_21"), ("2022/23", "fig7_vacancies_2022_23")):
        row = by_year[year]
        results[claim_id] = Found(
            value=float(row["vacancies_count"]),
            source_id=str(row["vacancies_source_id"]),
            locator=f"vacant posts for {year}, edition with data to {row['edition_data_to']}",
            what=f"Skills for Care's estimate of vacant posts in adult social care for {year}, in the "
            "newest edition read that gives the year's rate and count",
            why_differs="Skills for Care revises past years in each edition; the report may have used "
            "another edition",
        )
    return results


def claims_from_raw(root: Path | str | None = None) -> dict[str, ClaimResult]:
    """The report's quote of Skills for Care's projection: found as published, never computed.

    The projection differs by edition (each year's estimates give another number), so the edition
    the value rests on is part of its locator.
    """
    rows = load("quoted_estimates", root).filter(pl.col("estimate_id") == EXTRA_STAFF_ESTIMATE)
    if rows.height != 1:
        return {
            EXTRA_STAFF_CLAIM: Missing(
                missing_input="Skills for Care's projection of extra adult social care jobs by 2035, "
                f"row {EXTRA_STAFF_ESTIMATE!r} of data/raw/quoted_estimates.csv",
                why="the row that holds the projection is absent",
            )
        }
    row = rows.row(0, named=True)
    return {
        EXTRA_STAFF_CLAIM: Found(
            value=float(row["estimate_value"]),
            source_id=str(row["source_id"]),
            locator=f"{row['locator']}; edition: {row['data_edition']}",
            what="Skills for Care's projection of extra adult social care jobs needed by 2035",
            why_differs="Skills for Care's projection changes with each edition of its estimates; the report "
            "may quote another edition than the one found",
        )
    }


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    rows = {r["financial_year"]: r for r in table.iter_rows(named=True)}
    first, last = str(REPORT_FIRST), str(REPORT_LAST)
    peak = table.filter(~pl.col("is_newer_than_report")).sort(
        "vacancy_rate_pct", descending=True, nulls_last=True
    )
    peak_row = peak.row(0, named=True)
    geography = rows[last]["geography"]
    return (
        f"Left: line chart by financial year of the adult social care vacancy rate in England and the "
        f"{geography} unemployment rate. From {first} to {last} the vacancy rate went from "
        f"{rows[first]['vacancy_rate_pct']:.1f}% to {rows[last]['vacancy_rate_pct']:.1f}%, peaking at "
        f"{peak_row['vacancy_rate_pct']:.1f}% in {peak_row['financial_year']}, while unemployment went from "
        f"{rows[first]['unemployment_rate_pct']:.1f}% to {rows[last]['unemployment_rate_pct']:.1f}%. "
        "Years with no vacancy estimate are left as gaps. Right: scatter of the two rates with a fitted "
        "line and its confidence band"
        + (
            f"; the {', '.join(unsure)} rate, whose sector is not stated, is drawn hollow, and a second, "
            "dashed line is fitted without it."
            if (unsure := sector_not_stated(table))
            else "."
        )
        + "".join(
            f" {r['financial_year']}: vacancy rate {r['vacancy_rate_pct']:.1f}%"
            + (
                " (an edition whose coverage differs, after a dashed line)"
                if r["is_edition_coverage_change"]
                else ""
            )
            + (
                f", unemployment {r['unemployment_rate_pct']:.1f}%."
                if r["unemployment_rate_pct"] is not None
                else "."
            )
            for r in table.filter(
                pl.col("is_newer_than_report") & pl.col("vacancy_rate_pct").is_not_null()
            ).iter_rows(named=True)
        )
    )
