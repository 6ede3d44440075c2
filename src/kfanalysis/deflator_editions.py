"""HM Treasury's deflator editions side by side, to show how much a choice of edition moves real terms.

The report names the deflator only as "March 2023". The next edition (June 2023)
revised the outturn years and the forecasts; restating both at the report's
2021/22 prices shows, year by year, how far a real-terms figure would move if
the other edition had been used. The ledger does the same for every real-terms
claim (its ``status_deflator_2023_06`` column).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kfanalysis.prices import DEFAULT_BASE, EDITIONS, deflator


def compare_editions(
    first: str = "2023-03", second: str = "2023-06", root: Path | str | None = None
) -> pl.DataFrame:
    """Two deflator editions rebased to 2021/22 = 100, for the years both cover.

    Args:
        first: The edition used throughout (March 2023).
        second: The edition compared with it.
        root: Project root; found from the working directory if omitted.

    Returns:
        ``financial_year``, the index of each edition (``index_<edition>``), whether each
        year rests on a forecast in either edition, and ``difference_pct``: how much a cash
        value of that year would be restated differently at 2021/22 prices (second against
        first, per cent).
    """
    names = {key: f"index_{key.replace('-', '_')}" for key in (first, second)}
    tables = []
    for key in (first, second):
        index = deflator(DEFAULT_BASE, root=root, edition=key)
        tables.append(
            index.select(
                "financial_year",
                pl.col("gdp_deflator_index").alias(names[key]),
                pl.col("is_forecast").alias(f"_forecast_{key}"),
            )
        )
    both = tables[0].join(tables[1], on="financial_year", how="inner")
    return both.select(
        "financial_year",
        names[first],
        names[second],
        (pl.col(f"_forecast_{first}") | pl.col(f"_forecast_{second}")).alias("is_forecast_in_either"),
        # Real value at 2021/22 prices is cash * 100 / index, so the ratio of restatements is first/second.
        ((pl.col(names[first]) / pl.col(names[second]) - 1) * 100).alias("difference_pct"),
    ).sort("financial_year")


def edition_title(key: str) -> str:
    """How HM Treasury names an edition, for captions."""
    return EDITIONS[key].title


def outturn_gap_pct(editions: pl.DataFrame) -> float:
    """The largest difference (absolute, per cent) between two editions over the years both give as outturn.

    Args:
        editions: A table from :func:`compare_editions`.
    """
    outturn = editions.filter(~pl.col("is_forecast_in_either"))["difference_pct"].abs()
    return float(outturn.max()) if outturn.len() else 0.0  # type: ignore[arg-type]
