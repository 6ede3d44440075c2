"""Real terms: cash values restated at the prices of one financial year.

The report states money at 2021/22 prices using HM Treasury's GDP deflator
"from March 2023". The edition held here is the March 2023 Quarterly National
Accounts edition, referenced to 2021-22 = 100. It publishes an index only for
outturn years (to 2021-22); for 2022-23 onwards it gives the OBR's forecast
percentage changes. To reach those years the index is chained: each year's
index is the previous year's times (1 + change / 100). Chained years are
flagged ``is_chained`` so no reader mistakes them for published index values.

Real value at base-year prices = cash value x index(base) / index(year).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import polars as pl

from kfanalysis.errors import FigureInputError
from kfanalysis.periods import FinancialYear, canonical

DEFAULT_BASE = "2021/22"


def deflator(base: str | int | FinancialYear = DEFAULT_BASE, root: Path | str | None = None) -> pl.DataFrame:
    """The GDP deflator for every financial year the edition covers, at the chosen base.

    Args:
        base: Financial year whose index is set to 100.
        root: Project root; found from the working directory if omitted.

    Returns:
        Columns financial_year, gdp_deflator_index, is_forecast, is_chained, source_id,
        sorted by year.
    """
    from kfanalysis.loader import load

    return rebase(chain_index(load("gdp_deflator", root)), base)


def chain_index(raw: pl.DataFrame) -> pl.DataFrame:
    """Extend the published index through the years that have only a percentage change.

    Args:
        raw: The ``gdp_deflator`` raw table.

    Returns:
        One row per year with an index, ``is_chained`` True where it was computed.

    Raises:
        FigureInputError: If a year lacks both an index and a percentage change, or if an
            index is missing before the last published one (a gap, not a forecast tail).
    """
    rows = (
        raw.sort("financial_year")
        .select("financial_year", "gdp_deflator_index", "gdp_deflator_change_pct", "is_forecast", "source_id")
        .to_dicts()
    )
    years = [FinancialYear.parse(r["financial_year"]) for r in rows]
    for earlier, later in pairwise(years):
        if later - earlier != 1:
            raise FigureInputError(
                f"data/raw/gdp_deflator.csv: no row for the year after {earlier} (next row is {later})\n"
                "  Fix: add the missing year from the same HM Treasury edition."
            )
    published = [i for i, r in enumerate(rows) if r["gdp_deflator_index"] is not None]
    if not published:
        raise FigureInputError(
            "data/raw/gdp_deflator.csv has no index values\n"
            "  Fix: transcribe the index column of the edition."
        )
    last = published[-1]
    out = []
    previous: float | None = None
    for i, row in enumerate(rows):
        index = row["gdp_deflator_index"]
        is_chained = False
        if index is None:
            if i < last:
                raise FigureInputError(
                    f"data/raw/gdp_deflator.csv, year {row['financial_year']}: index is empty between "
                    "published values\n  Fix: transcribe the index for that year; only years after "
                    "the last published index may be chained from percentage changes."
                )
            if i < published[0]:
                continue  # before the first index there is nothing to chain from
            change = row["gdp_deflator_change_pct"]
            if change is None or previous is None:
                raise FigureInputError(
                    f"data/raw/gdp_deflator.csv, year {row['financial_year']}: neither an index nor a "
                    "percentage change\n  Fix: transcribe the percentage change from the edition."
                )
            index = previous * (1 + change / 100)
            is_chained = True
        out.append(
            {
                "financial_year": row["financial_year"],
                "gdp_deflator_index": float(index),
                "is_forecast": row["is_forecast"],
                "is_chained": is_chained,
                "source_id": row["source_id"],
            }
        )
        previous = float(index)
    return pl.DataFrame(
        out,
        schema={
            "financial_year": pl.String,
            "gdp_deflator_index": pl.Float64,
            "is_forecast": pl.Boolean,
            "is_chained": pl.Boolean,
            "source_id": pl.String,
        },
    )


def rebase(index: pl.DataFrame, base: str | int | FinancialYear = DEFAULT_BASE) -> pl.DataFrame:
    """Rescale a deflator table so that ``base`` equals 100.

    Rebasing changes no real-terms growth rate: every year is divided by the same number.

    Raises:
        FigureInputError: If the base year is not in the table.
    """
    base_text = canonical(base)
    at_base = index.filter(pl.col("financial_year") == base_text)["gdp_deflator_index"]
    if at_base.len() != 1:
        first, last = str(index["financial_year"].min()), str(index["financial_year"].max())
        raise FigureInputError(
            f"base year {base_text} is not in the deflator ({first} to {last})\n"
            "  Fix: choose a base year the edition covers."
        )
    factor = 100.0 / float(at_base[0])
    return index.with_columns(pl.col("gdp_deflator_index") * factor).sort("financial_year")


def real_column_name(value: str, base: str | int | FinancialYear = DEFAULT_BASE) -> str:
    """Name of the real-terms column: ``spend_gbp_m`` -> ``spend_gbp_m_real_2021_22``."""
    fy = FinancialYear.parse(base)
    return f"{value}_real_{fy.start_year}_{fy.end_year % 100:02d}"


def to_real_terms(
    frame: pl.DataFrame,
    value: str,
    year: str = "financial_year",
    base: str | int | FinancialYear = DEFAULT_BASE,
    index: pl.DataFrame | None = None,
    root: Path | str | None = None,
) -> pl.DataFrame:
    """Add a column restating a cash column at the prices of ``base``.

    Args:
        frame: Table with a cash column and a financial-year column.
        value: Name of the cash column, e.g. ``"spend_gbp_m"``.
        year: Name of the financial-year column (canonical "2021/22" text).
        base: Financial year whose prices the result is expressed in.
        index: Deflator table (from :func:`deflator`); loaded from data/raw if omitted.
        root: Project root, used only when ``index`` is omitted.

    Returns:
        ``frame`` with a new column ``<value>_real_<base>`` (see :func:`real_column_name`).
        A year the deflator does not cover gets an empty value: a missing point, never a
        guessed one.
    """
    if value not in frame.columns or year not in frame.columns:
        missing = [c for c in (value, year) if c not in frame.columns]
        raise KeyError(f"to_real_terms: column(s) {missing} not in the table ({', '.join(frame.columns)})")
    index = rebase(index if index is not None else deflator(root=root), base)
    lookup = index.select(pl.col("financial_year").alias(year), pl.col("gdp_deflator_index").alias("_index"))
    out = frame.join(lookup, on=year, how="left", maintain_order="left")
    return out.with_columns(
        (pl.col(value) * 100.0 / pl.col("_index")).alias(real_column_name(value, base))
    ).drop("_index")
