"""NHS trust spending by trust type, summed from the per-trust TAC rows (Figures 2 and 3).

The report's Figures 2 and 3 rest on NHS England's Trust Accounts Consolidation
(TAC) files: one for NHS trusts and one for foundation trusts each year. A
type's total for a year is the sum over every trust of that type in both files.
A year's values come from that year's files (their current-year column); only
where no file of the year is held is a later file's prior-year column used, and
2016/17 can only be had that way (the 2017/18 files' prior-year column), which
the figure's table says. Nothing is filled in for a trust or a type without a
row: a type with no trusts in a year has no total.

Where the files are not in data/raw the same module says exactly which files are
needed, where they are published and the two commands that build the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kfanalysis.fields import TRUST_SECTORS

#: Figure 3's years: the report's "past five years".
FROM_YEAR, TO_YEAR = "2016/17", "2021/22"
#: Which raw column each measure sums.
MEASURE_COLUMNS = {
    "operating expenditure (EXP0390)": "operating_expenditure_gbp_k",
    "operating income (INC1365)": "operating_income_gbp_k",
}
#: The TAC publications page, where every year's files are linked.
TAC_PAGE = (
    "https://www.england.nhs.uk/financial-accounting-and-reporting/nhs-providers-tac-data-publications/"
)


@dataclass(frozen=True)
class NeededFile:
    """One official file the trust figures need."""

    source_id: str
    title: str
    gives: str


#: The four files behind Figure 3 (and, for 2021/22, Figure 2's trust bars); ids as in sources.toml.
NEEDED_FILES = (
    NeededFile(
        "nhse_tac_nhs_trusts_2017_18",
        "All TAC data published in NHS trusts' accounts for 2017-18",
        "2016/17 (its prior-year column), NHS trusts",
    ),
    NeededFile(
        "nhse_tac_foundation_trusts_2017_18",
        "All TAC data published in NHS foundation trusts' accounts for 2017-18",
        "2016/17 (its prior-year column), foundation trusts",
    ),
    NeededFile(
        "nhse_tac_nhs_trusts_2021_22",
        "TAC data published in NHS trusts' accounts for 2021-22",
        "2021/22, NHS trusts",
    ),
    NeededFile(
        "nhse_tac_foundation_trusts_2021_22",
        "TAC data published in NHS foundation trusts' accounts for 2021-22",
        "2021/22, foundation trusts",
    ),
)
#: The two commands that build the figures once the files are downloaded into one folder.
COMMANDS = ("kfanalysis ingest tac --from FOLDER --write", "kfanalysis build")


def needed_text(year: str | None = None) -> str:
    """One sentence naming the files, their page and the commands (for the ledger and the figure table).

    Args:
        year: Name only the files that give this year (Figure 2 needs 2021/22 alone).
    """
    files = "; ".join(
        f"'{f.title}' ({f.source_id}: {f.gives})"
        for f in NEEDED_FILES
        if year is None or f.gives.startswith(year)
    )
    return (
        f"NHS England's TAC data files, not in data/raw: {files}, all linked from {TAC_PAGE}. "
        f"Download them into one folder (`kfanalysis fetch` gets those with a known address), then run "
        f"`{COMMANDS[0]}` (add `--edition nhse_tac_foundation_trusts_2021_22` for that file, whose address "
        f"was not found) and `{COMMANDS[1]}`"
    )


def year_rows(trusts: pl.DataFrame, year: str) -> pl.DataFrame:
    """The trust rows that stand for ``year``: its own files' current-year column, else a prior-year one."""
    rows = trusts.filter(pl.col("financial_year") == year)
    current = rows.filter(pl.col("year_column") == "current year")
    return current if current.height else rows.filter(pl.col("year_column") == "prior year")


def sector_totals(trusts: pl.DataFrame, year: str, measure: str) -> pl.DataFrame:
    """Each trust type's total for one year, £ million, with how many trusts it sums.

    A trust whose value is empty is left out of the sum and of the count, never taken as zero.

    Returns:
        trust_sector, total_gbp_m, trusts_count, year_column: one row per type that has trusts
        with a value that year.
    """
    column = MEASURE_COLUMNS[measure]
    rows = year_rows(trusts, year).filter(pl.col(column).is_not_null())
    return (
        rows.group_by("trust_sector")
        .agg(
            (pl.col(column).sum() / 1000).alias("total_gbp_m"),
            pl.len().cast(pl.Int64).alias("trusts_count"),
            pl.col("year_column").first(),
        )
        .sort(pl.col("trust_sector").replace_strict(TRUST_SECTORS, list(range(len(TRUST_SECTORS)))))
    )
