"""Figure 3: growth in NHS trusts' operating expenditure by trust type, 2016/17 to 2021/22.

Each trust type's total is the sum over its NHS trusts and foundation trusts in
NHS England's TAC data files (``kfanalysis.trust_types``), read by
``kfanalysis ingest tac`` into data/raw/trust_accounts.csv. Growth is shown in
cash and at 2021/22 prices (HM Treasury GDP deflator, March 2023). The report
speaks of expenditure; its press release of "funding", so the growth of total
operating income (INC1365) is computed beside that of total operating
expenditure (EXP0390), and the ledger names which basis each number is on.
2016/17 comes from the 2017/18 files' prior-year column (the dataset begins in
2017/18), and the table says so.

Until the files are ingested the table lists each type with empty values and
the files and commands that would fill it; nothing is estimated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis import fields
from kfanalysis.charts import add_source_line, finish, mark_report, report_values
from kfanalysis.fields import TRUST_MEASURES, TRUST_SECTORS
from kfanalysis.loader import load
from kfanalysis.prices import deflator
from kfanalysis.published import ClaimResult, Computed, Missing
from kfanalysis.schemas import polars_dtype, validate
from kfanalysis.trust_types import FROM_YEAR, TO_YEAR, needed_text, sector_totals

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLE = "fig3_trust_growth"
#: The raw tables this figure reads (and no others).
INPUTS = ("trust_accounts", "gdp_deflator", "gdp_deflator_2023_06")
#: Claims stated in real terms: the ledger recomputes them under every deflator edition held.
REAL_TERMS_CLAIMS = ("fig3_acute_trust_growth_2016_17_2021_22", "fig3_community_trust_growth_2016_17_2021_22")
REAL = "real terms, 2021/22 prices"
EXPENDITURE, INCOME = TRUST_MEASURES
#: The claims and the trust type each is about.
CLAIM_SECTORS = {
    "fig3_acute_trust_growth_2016_17_2021_22": "Acute",
    "fig3_community_trust_growth_2016_17_2021_22": "Community",
}


def build(root: Path | str | None = None, deflator_edition: str | None = None) -> pl.DataFrame:
    """Build the Figure 3 table: one row per trust type, measure and money basis.

    Args:
        root: Project root; found from the working directory if omitted.
        deflator_edition: HM Treasury deflator edition for real terms (March 2023 if omitted).

    Returns:
        Growth from 2016/17 to 2021/22; a type with no trusts in either year has empty values
        and a ``gap`` naming the files needed.
    """
    trusts = load("trust_accounts", root)
    index = deflator(root=root, edition=deflator_edition)
    factor = {
        year: 100.0 / index.filter(pl.col("financial_year") == year)["gdp_deflator_index"].item()
        for year in (FROM_YEAR, TO_YEAR)
    }
    rows = []
    for measure in TRUST_MEASURES:
        start = {
            r["trust_sector"]: r for r in sector_totals(trusts, FROM_YEAR, measure).iter_rows(named=True)
        }
        end = {r["trust_sector"]: r for r in sector_totals(trusts, TO_YEAR, measure).iter_rows(named=True)}
        for sector in TRUST_SECTORS:
            first, last = start.get(sector), end.get(sector)
            counted = (
                f"sum of {measure} over the type's NHS trusts and foundation trusts in the TAC files; "
                f"{FROM_YEAR} from the {first['year_column']} column"
                + (" of the 2017/18 files" if first["year_column"] == "prior year" else "")
                if first is not None
                else ""
            )
            for basis in ("cash", REAL):
                found = first is not None and last is not None
                scale = (factor[FROM_YEAR], factor[TO_YEAR]) if basis == REAL else (1.0, 1.0)
                start_m = first["total_gbp_m"] * scale[0] if first is not None else None
                end_m = last["total_gbp_m"] * scale[1] if last is not None else None
                rows.append(
                    {
                        "trust_sector": sector,
                        "trust_measure": measure,
                        "money_basis": basis,
                        "from_year": FROM_YEAR,
                        "to_year": TO_YEAR,
                        "what_is_counted": counted or None,
                        "from_gbp_m": start_m,
                        "to_gbp_m": end_m,
                        "from_trusts_count": first["trusts_count"] if first is not None else None,
                        "to_trusts_count": last["trusts_count"] if last is not None else None,
                        "growth_pct": 100 * (end_m / start_m - 1) if found and start_m else None,
                        "gap": None if found else needed_text(),
                    }
                )
    schema = {f.name: polars_dtype(f) for f in fields.columns_of(TABLE)}
    return validate(TABLE, pl.DataFrame(rows, schema=schema, orient="row"))


def growth(table: pl.DataFrame, sector: str, measure: str = EXPENDITURE, basis: str = REAL) -> float | None:
    """One type's growth, per cent (None where the files are not in data/raw)."""
    cell = table.filter(
        (pl.col("trust_sector") == sector)
        & (pl.col("trust_measure") == measure)
        & (pl.col("money_basis") == basis)
    )["growth_pct"]
    return None if cell[0] is None else float(cell[0])


def claims(table: pl.DataFrame) -> dict[str, ClaimResult]:
    """The 27% (acute) and 14% (community) growth: tested on real-terms operating expenditure.

    The method names the same growth on operating income and in cash, so a reader sees
    which basis, if any, gives the report's numbers.
    """
    out: dict[str, ClaimResult] = {}
    for claim_id, sector in CLAIM_SECTORS.items():
        ours = growth(table, sector)
        if ours is None:
            out[claim_id] = Missing(
                missing_input=f"{sector} trusts' total operating expenditure (EXP0390) and income (INC1365), "
                f"{FROM_YEAR} and {TO_YEAR}, from NHS England's TAC data files",
                why=needed_text(),
            )
            continue
        others = "; ".join(
            f"{measure}, {basis}: {value:.1f}%"
            for measure in TRUST_MEASURES
            for basis in ("cash", REAL)
            if (measure, basis) != (EXPENDITURE, REAL)
            and (value := growth(table, sector, measure, basis)) is not None
        )
        out[claim_id] = Computed(
            value=ours,
            method=f"growth of {sector} trusts' summed {EXPENDITURE}, {REAL}, {FROM_YEAR} to {TO_YEAR} "
            f"({FROM_YEAR} from the 2017/18 TAC files' prior-year column); other bases: {others}",
            why_differs="the report does not say whether its growth is in cash or real terms, or on "
            f"expenditure or income; the other bases are given here ({others})",
        )
    return out


def finding(table: pl.DataFrame) -> str:
    """The chart's message in one sentence, with its numbers read from the table."""
    real = table.filter(
        (pl.col("trust_measure") == EXPENDITURE)
        & (pl.col("money_basis") == REAL)
        & pl.col("growth_pct").is_not_null()
    ).sort("growth_pct", descending=True)
    if real.height == 0:
        return (
            f"Not built yet: growth by trust type needs NHS England's trust accounts for {FROM_YEAR} "
            f"and {TO_YEAR}"
        )
    top = real.row(0, named=True)
    return (
        f"{top['trust_sector']} trusts' operating expenditure grew most, {top['growth_pct']:+.1f}% in real "
        f"terms from {FROM_YEAR} to {TO_YEAR}"
    )


def plot(table: pl.DataFrame, root: Path | str | None = None) -> Figure:
    """Bars of each trust type's growth in operating expenditure, cash and real; or what is missing."""
    from matplotlib.figure import Figure

    # A Figure outside pyplot, so a build that draws it many times keeps no window state alive.
    figure = Figure(figsize=(8, 4.5))
    axes = figure.subplots()
    spending = table.filter(pl.col("trust_measure") == EXPENDITURE)
    if spending["growth_pct"].is_null().all():
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            "Not built: NHS England's TAC data files for 2017/18 and 2021/22\n"
            "are not in data/raw. Download them, then run\n"
            "kfanalysis ingest tac --from FOLDER --write\nkfanalysis build",
            ha="center",
            va="center",
            fontsize=11,
        )
    else:
        width = 0.38
        for offset, basis in ((-width / 2, "cash"), (width / 2, REAL)):
            part = spending.filter(pl.col("money_basis") == basis)
            values = [float("nan") if v is None else v for v in part["growth_pct"]]
            axes.barh([i + offset for i in range(part.height)], values, height=width, label=basis)
        axes.set_yticks(range(len(TRUST_SECTORS)), list(TRUST_SECTORS))
        axes.invert_yaxis()
        axes.set_xlabel(f"Growth in operating expenditure, {FROM_YEAR} to {TO_YEAR} (%)")
        axes.axvline(0, color="black", linewidth=0.8)
        axes.legend(frameon=False)
        report = report_values(claims(table), root)
        for claim_id, sector in CLAIM_SECTORS.items():
            if claim_id in report:
                row = list(TRUST_SECTORS).index(sector) + width / 2
                mark_report(axes, report[claim_id], row, f"{report[claim_id]:+.0f}% ({sector.lower()})")
    add_source_line(
        figure, "Source: NHS England, Trust Accounts Consolidation (TAC) data files; HM Treasury."
    )
    finish(figure, finding(table))
    return figure


def alt_text(table: pl.DataFrame) -> str:
    """A text description of the chart for screen readers, with its numbers taken from the table."""
    real = table.filter((pl.col("trust_measure") == EXPENDITURE) & (pl.col("money_basis") == REAL))
    if real["growth_pct"].is_null().all():
        return "No chart: the NHS trust accounts files this figure needs are not in the data yet."
    parts = "; ".join(
        f"{r['trust_sector']} {r['growth_pct']:.1f}%"
        for r in real.iter_rows(named=True)
        if r["growth_pct"] is not None
    )
    return (
        f"Horizontal bars of growth in operating expenditure at 2021/22 prices, {FROM_YEAR} to {TO_YEAR}: "
        f"{parts}."
    )
