"""Figure 2: where health and care money goes, by destination.

The report's Figure 2 says a large share of health and social care spending
goes to acute trusts. Its bars for NHS trust types come from the NHS provider
accounts (NHS England's trust accounts consolidation files, read by
``kfanalysis ingest tac``; see ``kfanalysis.trust_types``); until those files
are ingested those destinations are listed with empty values. What the
official figures held do allow:

* Primary care: the four primary care contract lines of the DHSC annual report
  and accounts (general practice, dental, pharmaceutical and ophthalmic
  services), 2017/18 to 2021/22, as a written answer reprints them, and their
  share of DHSC total resource DEL in the same answer.
* Council adult social care: gross current expenditure, the same series as
  Figure 4.
* The public health grant: total allocations.

Money is shown in cash and at 2021/22 prices; for 2021/22 the two are equal.
:func:`primary_care_hypotheses` tests which lines the report's £14.9bn might
count.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import add_source_line, change_word, finish, mark_report, report_values
from kfanalysis.errors import FigureInputError
from kfanalysis.fields import PRIMARY_CARE_LINES, SPENDING_SECTORS, TRUST_MEASURES
from kfanalysis.loader import load
from kfanalysis.prices import deflator, real_column_name, to_real_terms
from kfanalysis.published import ClaimResult, Computed, Missing, status_of
from kfanalysis.schemas import validate
from kfanalysis.trust_types import needed_text, sector_totals, year_rows

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig2_spending"
#: The raw tables this figure reads (and no others).
INPUTS = (
    "dhsc_spending",
    "asc_expenditure",
    "public_health_grant",
    "trust_accounts",
    "gdp_deflator",
    "gdp_deflator_2023_06",
    "quoted_estimates",
    "published_numbers",
)

#: Claims stated in real terms: the ledger recomputes them under every deflator edition held.
REAL_TERMS_CLAIMS = ("fig2_primary_care_spend_2021_22",)
#: The report's year.
REPORT_YEAR = "2021/22"
TRUST_SECTORS = SPENDING_SECTORS[:5]
#: Figure 2's bar for each official trust type of the TAC files, in the order of fields.TRUST_SECTORS.
_TRUST_BARS = (
    "acute trusts",
    "specialist trusts",
    "mental health trusts",
    "community trusts",
    "ambulance trusts",
)
RDEL = "total resource DEL"
#: The public health grant claim, and the year it is measured from.
PH_GRANT_CLAIM = "fig2_public_health_grant_cut_since_2015_16"
PH_BASE_YEAR = "2015/16"
_NOT_FOUND = (
    "total operating expenditure by trust type from the NHS provider accounts (trust accounts "
    "consolidation files); not found"
)


def _primary_care(spending: pl.DataFrame) -> pl.DataFrame:
    """Primary care in £bn and as a share of RDEL, for each year that has all four lines and RDEL."""
    wide = spending.pivot(on="spending_line", index="financial_year", values="spending_gbp_m")
    needed = [*PRIMARY_CARE_LINES, RDEL]
    missing = [c for c in needed if c not in wide.columns]
    if missing:
        raise FigureInputError(
            f"data/raw/dhsc_spending.csv has no rows for {missing}\n"
            "  Fix: add every primary care line and total resource DEL from the DHSC accounts."
        )
    complete = wide.drop_nulls(needed)
    total = pl.sum_horizontal(*PRIMARY_CARE_LINES)
    return complete.select(
        "financial_year",
        pl.lit("primary care").alias("spending_sector"),
        pl.lit("the four primary care contract lines of the DHSC accounts, gross").alias("what_is_counted"),
        (total / 1000).alias("spending_cash_gbp_bn"),
        (100 * total / pl.col(RDEL)).alias("share_of_dhsc_rdel_pct"),
        pl.lit("dhsc_pq_174383").alias("source_id"),
    )


def _destination(frame: pl.DataFrame, name: str, sector: str, what: str, column: str) -> pl.DataFrame:
    """One destination's cash figure per year, in the shape of the figure table.

    Raises:
        FigureInputError: If the raw table gives a year twice (the figure would not know which to show).
    """
    duplicated = frame.filter(pl.col("financial_year").is_duplicated())["financial_year"].unique().sort()
    if duplicated.len():
        raise FigureInputError(
            f"data/raw/{name}.csv gives more than one value for {', '.join(duplicated)}\n"
            "  Fix: keep one row per year for the figure, or say in the module which one wins."
        )
    return frame.select(
        "financial_year",
        pl.lit(sector).alias("spending_sector"),
        pl.lit(what).alias("what_is_counted"),
        pl.col(column).alias("spending_cash_gbp_bn"),
        pl.lit(None, dtype=pl.Float64).alias("share_of_dhsc_rdel_pct"),
        "source_id",
    )


def build(root: Path | str | None = None, deflator_edition: str | None = None) -> pl.DataFrame:
    """Build the Figure 2 table from data/raw.

    Args:
        root: Project root; found from the working directory if omitted.
        deflator_edition: HM Treasury deflator edition for real terms (March 2023 if omitted);
            the ledger rebuilds with each other edition held to see whether a claim survives it.

    Returns:
        One row per year with primary care figures and destination, in chart order.
        Destinations with no published figure keep empty values (gaps, not zeros).
    """
    primary = _primary_care(load("dhsc_spending", root))
    years = primary["financial_year"].sort().to_list()
    if REPORT_YEAR not in years:
        raise FigureInputError(
            f"data/raw/dhsc_spending.csv lacks a complete {REPORT_YEAR}\n"
            "  Fix: add the four primary care lines and total resource DEL for that year."
        )
    councils = _destination(
        load("asc_expenditure", root).filter(pl.col("price_basis") == "cash"),
        "asc_expenditure",
        "council adult social care",
        "councils' gross current expenditure on adult social care",
        "gross_current_expenditure_gbp_bn",
    )
    grant = _destination(
        load("public_health_grant", root),
        "public_health_grant",
        "public health grant",
        "total allocation of the ring-fenced grant",
        "grant_gbp_bn",
    )
    trusts = trust_bars(load("trust_accounts", root), years)
    found = pl.concat([primary, councils, grant, trusts]).filter(pl.col("financial_year").is_in(years))
    spine = pl.DataFrame(
        [(y, s) for y in years for s in SPENDING_SECTORS],
        schema={"financial_year": pl.String, "spending_sector": pl.String},
        orient="row",
    )
    table = spine.join(found, on=["financial_year", "spending_sector"], how="left")
    table = to_real_terms(
        table,
        "spending_cash_gbp_bn",
        index=deflator(root=root, edition=deflator_edition),
        allow_forecast=True,
    ).rename({real_column_name("spending_cash_gbp_bn"): "spending_real_2021_22_gbp_bn"})
    return validate(TABLE, table.select(fields.table(TABLE).columns))


def trust_bars(trusts: pl.DataFrame, years: list[str]) -> pl.DataFrame:
    """Each NHS trust type's total operating expenditure (EXP0390) per year, £bn, from the TAC rows.

    Empty until the TAC files are ingested (see ``kfanalysis.trust_types``); a type with no trusts
    in a year gets no row, so its bar stays a gap.
    """
    parts = []
    for year in years:
        totals = sector_totals(trusts, year, TRUST_MEASURES[0])
        ids = sorted(set(year_rows(trusts, year)["source_id"]))
        parts.append(
            totals.select(
                pl.lit(year).alias("financial_year"),
                pl.col("trust_sector")
                .replace_strict(dict(zip(fields.TRUST_SECTORS, _TRUST_BARS, strict=True)))
                .alias("spending_sector"),
                pl.lit(
                    f"total operating expenditure (EXP0390) summed over the type's trusts, TAC files "
                    f"({', '.join(ids)})"
                ).alias("what_is_counted"),
                (pl.col("total_gbp_m") / 1000).alias("spending_cash_gbp_bn"),
                pl.lit(None, dtype=pl.Float64).alias("share_of_dhsc_rdel_pct"),
                pl.lit(ids[0] if ids else None, dtype=pl.String).alias("source_id"),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame()


def value(table: pl.DataFrame, year: str, sector: str, column: str = "spending_cash_gbp_bn") -> float:
    """One cell of the table (NaN where there is no published figure)."""
    cell = table.filter((pl.col("financial_year") == year) & (pl.col("spending_sector") == sector))[column][0]
    return float("nan") if cell is None else float(cell)


def total_rdel_gbp_bn(root: Path | str | None = None, year: str = REPORT_YEAR) -> float:
    """DHSC total resource DEL outturn for one year, £bn: the denominator of every share here."""
    spending = load("dhsc_spending", root)
    row = spending.filter((pl.col("financial_year") == year) & (pl.col("spending_line") == RDEL))
    return float(row["spending_gbp_m"][0]) / 1000


def primary_care_hypotheses(root: Path | str | None = None, year: str = REPORT_YEAR) -> pl.DataFrame:
    """Every combination of the four primary care lines, in £bn and as a share of RDEL.

    The report's £14.9bn is not the sum of all four lines; listing each subset
    shows whether any published combination could give it. The report's figure
    is not an input: the book compares it with these.
    """
    spending = load("dhsc_spending", root).filter(pl.col("financial_year") == year)
    by_line = dict(zip(spending["spending_line"], spending["spending_gbp_m"], strict=True))
    rdel_gbp_bn = total_rdel_gbp_bn(root, year)
    rows = []
    for size in range(len(PRIMARY_CARE_LINES), 0, -1):
        for subset in combinations(PRIMARY_CARE_LINES, size):
            total = sum(by_line[line] for line in subset)
            rows.append(
                {
                    "lines": " + ".join(_short(line) for line in subset),
                    "n_lines": size,
                    "spending_cash_gbp_bn": total / 1000,
                    "share_of_dhsc_rdel_pct": 100 * total / 1000 / rdel_gbp_bn,
                }
            )
    return pl.DataFrame(rows)


def _short(line: str) -> str:
    return {
        PRIMARY_CARE_LINES[0]: "general practice",
        PRIMARY_CARE_LINES[1]: "dental",
        PRIMARY_CARE_LINES[2]: "pharmacy",
        PRIMARY_CARE_LINES[3]: "ophthalmic",
    }[line]


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    shares = table.filter(
        (pl.col("spending_sector") == "primary care") & pl.col("share_of_dhsc_rdel_pct").is_not_null()
    ).sort("financial_year")
    first, last = shares.row(0, named=True), shares.row(-1, named=True)
    a, b = first["share_of_dhsc_rdel_pct"], last["share_of_dhsc_rdel_pct"]
    return (
        f"Primary care's share of DHSC spending {change_word(a, b)} from {a:.1f}% in "
        f"{first['financial_year']} to {b:.1f}% in {last['financial_year']}; in {REPORT_YEAR} it received "
        f"£{value(table, REPORT_YEAR, 'primary care'):.1f}bn"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Draw 2021/22 spending by destination (left) and primary care's share of RDEL over time (right)."""
    import seaborn as sns
    from matplotlib.figure import Figure

    palette = sns.color_palette("colorblind")
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(10, 8.8))
        # Spending and the note on what is missing above, the share over time across the width below.
        grid = figure.add_gridspec(2, 2, width_ratios=[3, 1.3], height_ratios=[1, 1.1])
        bars, note, share = (
            figure.add_subplot(grid[0, 0]),
            figure.add_subplot(grid[0, 1]),
            figure.add_subplot(grid[1, :]),
        )
    note.axis("off")
    report = table.filter(pl.col("financial_year") == REPORT_YEAR)
    # Only destinations with a figure get a bar; the ones not found are named in a note
    # beside the bars, so no empty bar reads as a zero.
    shown = report.filter(pl.col("spending_cash_gbp_bn").is_not_null())
    not_found = report.filter(pl.col("spending_cash_gbp_bn").is_null())["spending_sector"].to_list()
    largest = float(shown["spending_cash_gbp_bn"].max())  # type: ignore[arg-type]
    label_box = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}
    for position, row in enumerate(shown.iter_rows(named=True)):
        amount = row["spending_cash_gbp_bn"]
        colour = palette[0] if row["spending_sector"] == "primary care" else palette[2]
        bars.barh(position, amount, color=colour, height=0.6)
        bars.text(
            amount + largest * 0.02, position, f"£{amount:.1f}bn", va="center", fontsize=8, bbox=label_box
        )
    bars.set_yticks(range(shown.height), shown["spending_sector"].to_list())
    bars.set_ylim(shown.height - 0.3, -0.7)  # top to bottom, with room above the first bar
    bars.set_xlim(0, largest * 1.3)
    bars.grid(axis="y", visible=False)
    bars.set_xlabel(f"£ billion, {REPORT_YEAR} (cash = 2021/22 prices)")
    bars.set_title(f"Spending by destination, {REPORT_YEAR}", fontsize=10)
    if not_found:
        note.text(
            0.0,
            0.5,
            "Not shown: the NHS\nprovider accounts for\n" + ",\n".join(not_found) + "\nwere not found.",
            va="center",
            ha="left",
            fontsize=8,
            color="0.3",
        )

    primary = table.filter(pl.col("spending_sector") == "primary care")
    years = primary["financial_year"].to_list()
    share.plot(years, primary["share_of_dhsc_rdel_pct"].to_list(), marker="o", color=palette[0])
    share.grid(axis="x", visible=False)
    for year, pct in zip(years, primary["share_of_dhsc_rdel_pct"], strict=True):
        share.annotate(
            f"{pct:.1f}%",
            (year, pct),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=8,
            bbox=label_box,
        )
    share.set_ylim(0, 14)
    share.set_xlim(-0.6, len(years) - 0.4)  # room for the first and last labels inside the frame
    share.set_ylabel("% of DHSC total resource DEL")
    share.set_xlabel("Financial year (RDEL from 2020/21 includes Covid-19 spending)")
    share.tick_params(axis="x", rotation=30)
    share.set_title("Primary care's share of DHSC spending", fontsize=10)
    published = report_values(claims(table), root)
    if "primary care" in shown["spending_sector"].to_list():
        spend = published["fig2_primary_care_spend_2021_22"]
        mark_report(bars, spend, shown["spending_sector"].to_list().index("primary care"), f"£{spend:.1f}bn")
    if REPORT_YEAR in years:
        pct = published["fig2_primary_care_share_2021_22"]
        mark_report(share, years.index(REPORT_YEAR), pct, f"{pct:.1f}%")
    add_source_line(
        figure,
        "Sources: DHSC annual report and accounts via written answer 174383; NHS Digital / NHS England "
        "ASC-FR; DHSC public health grant circulars and statements. NHS trust types: "
        + ("NHS England TAC data files." if len(not_found) < len(TRUST_SECTORS) else "not in the data."),
    )
    finish(figure, finding(table))
    return figure


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """Recompute Figure 2's published numbers from the built table."""
    spend = value(table, REPORT_YEAR, "primary care")
    acute = value(table, REPORT_YEAR, "acute trusts")
    share = value(table, REPORT_YEAR, "primary care", "share_of_dhsc_rdel_pct")
    return {
        "fig2_primary_care_spend_2021_22": Computed(
            value=spend,
            method="sum of the four primary care contract lines of the DHSC accounts for 2021/22, cash",
            why_differs="the four lines add up to more, and no combination of them rounds to the report's "
            "figure (see the chapter); the report may have left out Covid-19 payments, which the accounts "
            "do not split out, or used another definition it does not state",
        ),
        "fig2_primary_care_share_2021_22": Computed(
            value=share,
            method="the four primary care lines as a share of DHSC total resource DEL outturn, 2021/22",
            why_differs="the denominator matches the report's (its figure equals its own £14.9bn over total "
            "resource DEL); the numerator differs as in the claim above",
        ),
        "fig2_primary_care_share_2015_16": Missing(
            missing_input="DHSC accounts 2015-16: the four primary care lines and total resource DEL outturn",
            why="only the general practice line (via a press report) and the budget, not the outturn, were "
            "found; copies of the 2015-16 accounts could be read only to their title pages",
        ),
        "fig2_acute_spend_2021_22": Missing(
            missing_input="acute trusts' total operating expenditure (or income) for 2021/22 from the NHS "
            "provider accounts (trust accounts consolidation files)",
            why=needed_text(REPORT_YEAR),
        )
        if acute != acute  # NaN: no acute trusts in data/raw
        else Computed(
            value=acute,
            method="total operating expenditure (EXP0390) summed over acute trusts in the 2021/22 TAC files, "
            "cash (equal to 2021/22 prices)",
            why_differs="the report does not say which line of the accounts it sums; total operating "
            "expenditure includes spending on services other than acute care in trusts that also run them",
        ),
    }


def public_health_grant_bases(root: Path | str | None = None) -> pl.DataFrame:
    """The fall in the public health grant from its initial 2015/16 allocation, on every basis computable.

    The claim "cut by more than a quarter since 2015/16" names neither its basis nor its end year.
    Each allocation held from the report's year on is compared with the initial 2015/16
    allocation (before the in-year saving, the base the Health Foundation uses) in cash and in
    real terms (HM Treasury deflator, March 2023). The per-person basis needs ONS mid-year
    population estimates for England, which are not held, so it has no row: it is named as the
    missing input instead.

    Returns:
        One row per end year and basis: end_year, basis, grant_fall_pct (a fall is positive).
    """
    grant = load("public_health_grant", root)
    by_year = dict(zip(grant["financial_year"], grant["grant_gbp_bn"], strict=True))
    if PH_BASE_YEAR not in by_year:
        raise FigureInputError(
            f"data/raw/public_health_grant.csv has no {PH_BASE_YEAR} allocation\n"
            "  Fix: restore the initial 2015/16 allocation (before the in-year saving), with its source."
        )
    index = deflator(root=root)
    level = dict(zip(index["financial_year"], index["gdp_deflator_index"], strict=True))
    base = by_year[PH_BASE_YEAR]
    rows = []
    # End years from the report's own year on: the claim says "since 2015/16" of the present.
    for year in sorted(y for y in by_year if y >= REPORT_YEAR):
        cash = by_year[year] / base
        rows.append({"end_year": year, "basis": "cash", "grant_fall_pct": 100 * (1 - cash)})
        real = cash * level[PH_BASE_YEAR] / level[year]
        rows.append({"end_year": year, "basis": "real terms", "grant_fall_pct": 100 * (1 - real)})
    return pl.DataFrame(
        rows, schema={"end_year": pl.String, "basis": pl.String, "grant_fall_pct": pl.Float64}, orient="row"
    )


def third_party_grant_estimates(root: Path | str | None = None) -> pl.DataFrame:
    """The Health Foundation's published estimates of the cut, shown beside ours and never used as inputs."""
    estimates = load("quoted_estimates", root)
    return estimates.filter(
        pl.col("is_third_party") & (pl.col("estimate_unit") == "% real-terms cut per person")
    ).select("stated_period", "estimate_value", "data_edition", "source_id")


def _combinations_tried(
    hypotheses: pl.DataFrame, column: str, claim: dict[str, object], unit: str, prefix: str = ""
) -> str:
    """Every combination of the four lines tried for one claim, in words: range, matches, nearest two."""
    published = float(claim["published_value"])  # type: ignore[arg-type]
    digits = int(claim["precision_decimals"])  # type: ignore[call-overload]
    values = hypotheses[column].to_list()
    matches = sum(status_of(published, "rounds_to", digits, v) == "reproduced" for v in values)
    nearest = hypotheses.sort((pl.col(column) - published).abs()).head(2)
    return (
        f"all {hypotheses.height} combinations of the four lines were tried ({prefix}{min(values):.1f}{unit} "
        f"to {prefix}{max(values):.1f}{unit}) and {matches} round to the report's figure; the nearest are "
        + " and ".join(f"{r['lines']}, {prefix}{r[column]:.2f}{unit}" for r in nearest.iter_rows(named=True))
    )


def claims_from_raw(root: Path | str | None = None) -> dict[str, ClaimResult]:
    """Claims that rest on raw tables outside the figure's own table (years it does not show).

    The two primary care claims are also given by :func:`claims` (which the other deflator
    edition recomputes); here their reasons gain every combination of lines tried, which needs
    the lines themselves, and their values are the same sum of all four lines.
    """
    hypotheses = primary_care_hypotheses(root)
    claims_table = load("published_numbers", root)
    claim = {r["claim_id"]: r for r in claims_table.iter_rows(named=True)}
    all_four = hypotheses.filter(pl.col("n_lines") == len(PRIMARY_CARE_LINES)).row(0, named=True)
    spend_id, share_id = "fig2_primary_care_spend_2021_22", "fig2_primary_care_share_2021_22"
    primary = {
        spend_id: Computed(
            value=float(all_four["spending_cash_gbp_bn"]),
            method="sum of the four primary care contract lines of the DHSC accounts for 2021/22, cash",
            why_differs=_combinations_tried(hypotheses, "spending_cash_gbp_bn", claim[spend_id], "bn", "£")
            + "; the report may have left out Covid-19 payments, which the accounts do not split out, or "
            "used another definition it does not state",
        ),
        share_id: Computed(
            value=float(all_four["share_of_dhsc_rdel_pct"]),
            method="the four primary care lines as a share of DHSC total resource DEL outturn, 2021/22",
            why_differs=_combinations_tried(hypotheses, "share_of_dhsc_rdel_pct", claim[share_id], "%")
            + "; the denominator matches the report's (its figure equals its own £14.9bn over total "
            "resource DEL), so the numerator differs as in the claim above",
        ),
    }
    bases = public_health_grant_bases(root)
    tried = "; ".join(
        f"{r['basis']} to {r['end_year']}: {abs(r['grant_fall_pct']):.1f}% "
        + ("lower" if r["grant_fall_pct"] > 0 else "higher")
        for r in bases.iter_rows(named=True)
    )
    theirs = "; ".join(
        f"{r['estimate_value']:g}% ({r['stated_period']}, {r['data_edition']}, {r['source_id']})"
        for r in third_party_grant_estimates(root).iter_rows(named=True)
    )
    return {
        **primary,
        PH_GRANT_CLAIM: Missing(
            missing_input="ONS mid-year population estimates for England for mid-2015 and the end year, "
            "needed for the per-person real-terms basis",
            why=f"bases tried from the initial {PH_BASE_YEAR} allocation (before the £200m in-year saving): "
            f"{tried}; none is more than a quarter. That allocation counts services for children aged 0-5 "
            "for half the year only, and no published full-year 2015/16 total was found. The per-person "
            "basis, the Health Foundation's, could not be computed: ONS's England estimate for mid-2015 "
            "was not found on any page read (mid-2023 was). The Health Foundation's own estimates, a "
            f"third party's, not inputs: {theirs}",
        ),
    }


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    found = table.filter(
        (pl.col("financial_year") == REPORT_YEAR) & pl.col("spending_cash_gbp_bn").is_not_null()
    )
    parts = "; ".join(
        f"{r['spending_sector']} £{r['spending_cash_gbp_bn']:.1f}bn" for r in found.iter_rows(named=True)
    )
    primary = table.filter(pl.col("spending_sector") == "primary care")
    first, last = primary.row(0, named=True), primary.row(-1, named=True)
    return (
        f"Left: horizontal bars of spending in {REPORT_YEAR} by destination: {parts}. "
        + (
            "A note beside the bars says the five NHS trust types are not shown because their totals were "
            "not found. "
            if found.filter(pl.col("spending_sector").is_in(TRUST_SECTORS)).is_empty()
            else ""
        )
        + "Right: line chart of primary "
        f"care's share of DHSC total resource DEL, from {first['share_of_dhsc_rdel_pct']:.1f}% in "
        f"{first['financial_year']} to {last['share_of_dhsc_rdel_pct']:.1f}% in {last['financial_year']}."
    )
