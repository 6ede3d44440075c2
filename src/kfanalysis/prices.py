"""Real terms: cash values restated at the prices of one financial year.

The report states money at 2021/22 prices using HM Treasury's GDP deflator
"from March 2023". The edition held here is the March 2023 Quarterly National
Accounts edition, referenced to 2021-22 = 100. It publishes an index only for
outturn years (to 2021-22); for 2022-23 onwards it gives the OBR's forecast
percentage changes. To reach those years the index is chained: each year's
index is the previous year's times (1 + change / 100). Chained years are
flagged ``is_chained`` so no reader mistakes them for published index values.

A second edition, June 2023 (2022-23 = 100, with 2022-23 as outturn), is held
so that any real-terms result can be recomputed on a later vintage; choose it
with ``edition="2023-06"``. The default stays March 2023, the edition the
report names.

Real value at base-year prices = cash value x index(base) / index(year).

The conversion refuses input it cannot convert correctly rather than return a
wrong number: rows whose price basis is not cash, a column that is already in
real terms (unless asked to rebase it), and years it cannot read. It warns
when a result rests on forecast deflator values.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from kfanalysis.errors import FigureInputError, ForecastDeflatorWarning, RealTermsError
from kfanalysis.periods import FinancialYear, canonical

DEFAULT_BASE = "2021/22"


@dataclass(frozen=True)
class Edition:
    """One published edition of HM Treasury's GDP deflator held in data/raw.

    Attributes:
        key: Short name passed as ``edition=``: the year and month of publication ("2023-03").
        table: The raw table holding it.
        title: How HM Treasury names the edition, with its reference year.
    """

    key: str
    table: str
    title: str


#: The deflator editions held, by key.
EDITIONS: dict[str, Edition] = {
    e.key: e
    for e in (
        Edition("2023-03", "gdp_deflator", "March 2023 (Quarterly National Accounts), 2021-22 = 100"),
        Edition("2023-06", "gdp_deflator_2023_06", "June 2023 (Quarterly National Accounts), 2022-23 = 100"),
    )
}
#: The edition the report names ("HM Treasury GDP deflator from March 2023").
DEFAULT_EDITION = "2023-03"

#: Where a column name states its price base: ``spend_gbp_m_real_2021_22`` or ``gce_real_2021_22_gbp_bn``.
_REAL_NAME = re.compile(r"_real_(\d{4})_(\d{2})(?=_|$)")
#: The column a table uses, by the house convention, to say whether money is cash or real.
PRICE_BASIS_COLUMN = "price_basis"
CASH = "cash"

#: A polars table; the conversions return the kind they were given. A pandas DataFrame is
#: accepted too (and returned as one), but pandas ships no type information, so it is left
#: out here: listing it would make every result ``Any`` for type checkers.
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def edition_of(edition: str | None) -> Edition:
    """Look up a deflator edition by key (None gives the default).

    Raises:
        RealTermsError: If no edition has that key; the message lists those held.
    """
    key = DEFAULT_EDITION if edition is None else edition
    if key not in EDITIONS:
        held = "; ".join(f"{e.key!r} ({e.title})" for e in EDITIONS.values())
        raise RealTermsError(f"no GDP deflator edition {key!r} is held\n  Fix: choose one of {held}")
    return EDITIONS[key]


def deflator(
    base: str | int | FinancialYear = DEFAULT_BASE,
    root: Path | str | None = None,
    edition: str | None = None,
) -> pl.DataFrame:
    """The GDP deflator for every financial year the edition covers, at the chosen base.

    Example:
        >>> import polars as pl
        >>> index = deflator()
        >>> index.filter(pl.col("financial_year") == "2021/22")["gdp_deflator_index"].item()
        100.0
        >>> june = deflator(edition="2023-06")
        >>> round(june.filter(pl.col("financial_year") == "2022/23")["gdp_deflator_index"].item(), 4)
        106.5504

    Args:
        base: Financial year whose index is set to 100.
        root: Project root; found from the working directory if omitted.
        edition: Which HM Treasury edition (a key of :data:`~kfanalysis.prices.EDITIONS`);
            March 2023 if omitted.

    Returns:
        Columns financial_year, gdp_deflator_index, is_forecast, is_chained, source_id,
        sorted by year.

    Raises:
        RealTermsError: If the edition is not held.
    """
    from kfanalysis.loader import load

    chosen = edition_of(edition)
    return rebase(chain_index(load(chosen.table, root), f"data/raw/{chosen.table}.csv"), base)


def chain_index(raw: pl.DataFrame, file: str = "data/raw/gdp_deflator.csv") -> pl.DataFrame:
    """Extend the published index through the years that have only a percentage change.

    Args:
        raw: A raw deflator table (``gdp_deflator`` or another edition's).
        file: The table's file, named in error messages.

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
                f"{file}: no row for the year after {earlier} (next row is {later})\n"
                "  Fix: add the missing year from the same HM Treasury edition."
            )
    published = [i for i, r in enumerate(rows) if r["gdp_deflator_index"] is not None]
    if not published:
        raise FigureInputError(
            f"{file} has no index values\n  Fix: transcribe the index column of the edition."
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
                    f"{file}, year {row['financial_year']}: index is empty between "
                    "published values\n  Fix: transcribe the index for that year; only years after "
                    "the last published index may be chained from percentage changes."
                )
            if i < published[0]:
                continue  # before the first index there is nothing to chain from
            change = row["gdp_deflator_change_pct"]
            if change is None or previous is None:
                raise FigureInputError(
                    f"{file}, year {row['financial_year']}: neither an index nor a "
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
    """Name of the real-terms column made from ``value``.

    A cash column gains a suffix; a column already in real terms has its base replaced, so
    a rebased column never carries two bases.

    Example:
        >>> real_column_name("spend_gbp_m")
        'spend_gbp_m_real_2021_22'
        >>> real_column_name("gce_real_2021_22_gbp_bn", "2023/24")
        'gce_real_2023_24_gbp_bn'
    """
    fy = FinancialYear.parse(base)
    tag = f"_real_{fy.start_year}_{fy.end_year % 100:02d}"
    if _REAL_NAME.search(value):
        return _REAL_NAME.sub(tag, value, count=1)
    return f"{value}{tag}"


def cash_column_name(value: str) -> str:
    """Name of the cash column made from a real-terms column: its base becomes ``_cash``.

    Example:
        >>> cash_column_name("spend_gbp_m_real_2021_22")
        'spend_gbp_m_cash'
    """
    return _REAL_NAME.sub("_cash", value, count=1) if _REAL_NAME.search(value) else f"{value}_cash"


def base_of_column(value: str) -> str | None:
    """The price base a column's name states (``x_real_2021_22`` -> ``"2021/22"``), or None."""
    match = _REAL_NAME.search(value)
    return f"{match.group(1)}/{match.group(2)}" if match else None


def to_real_terms(
    frame: Frame,
    value: str,
    year: str = "financial_year",
    base: str | int | FinancialYear = DEFAULT_BASE,
    index: pl.DataFrame | None = None,
    root: Path | str | None = None,
    *,
    edition: str | None = None,
    price_basis: str | None = PRICE_BASIS_COLUMN,
    rebase_real: bool = False,
    from_base: str | int | FinancialYear | None = None,
    name: str | None = None,
    allow_forecast: bool = False,
) -> Frame:
    """Add a column restating a cash column at the prices of ``base``.

    Example:
        >>> import polars as pl
        >>> cash = pl.DataFrame({"financial_year": ["2016/17", "2021/22"], "spend_gbp_m": [100.0, 100.0]})
        >>> real = to_real_terms(cash, "spend_gbp_m")
        >>> [round(v, 2) for v in real["spend_gbp_m_real_2021_22"]]
        [112.05, 100.0]
        >>> again = to_real_terms(real, "spend_gbp_m_real_2021_22", base="2016/17", rebase_real=True)
        >>> [round(v, 2) for v in again["spend_gbp_m_real_2016_17"]]
        [100.0, 89.25]

    Args:
        frame: Table with a money column and a financial-year column: a polars DataFrame or
            LazyFrame, or a pandas DataFrame. The result is of the same kind.
        value: Name of the money column, e.g. ``"spend_gbp_m"``.
        year: Name of the financial-year column, in any form :meth:`~kfanalysis.periods.FinancialYear.parse`
            reads ("2021/22", "2021-22", "2021-2022", 2021).
        base: Financial year whose prices the result is expressed in.
        index: Deflator table (from :func:`deflator`); loaded from data/raw if omitted.
        root: Project root, used only when ``index`` is omitted.
        edition: Deflator edition (a key of :data:`~kfanalysis.prices.EDITIONS`), used only when ``index`` is
            omitted; March 2023 if omitted.
        price_basis: Column saying whether each row is cash or real terms; every row with a
            value must say ``"cash"``. A table with no such column, and no other column that
            looks like one, is taken to be cash; pass None to vouch for that yourself.
        rebase_real: Set True to restate a column that is already in real terms (its name
            holds ``_real_YYYY_YY``) at another base, instead of refusing it.
        from_base: Base of that real-terms column, when its name does not say.
        name: Name of the new column; by default :func:`real_column_name`.
        allow_forecast: Set True, once the result is labelled as resting on forecasts, to
            silence the warning about forecast deflator years.

    Returns:
        ``frame`` with the new column. A year the deflator does not cover gets an empty value:
        a missing point, never a guessed one.

    Raises:
        KeyError: If ``value`` or ``year`` is not a column.
        RealTermsError: If a row is not cash, the column is already real and ``rebase_real``
            is not set, a year cannot be read, or the edition is unknown.

    Warns:
        ForecastDeflatorWarning: If the base, or a year that has a value, rests on OBR forecasts.
    """
    polars_frame, restore = _as_polars(frame)
    _require_columns(polars_frame, value, year)
    real_base: str | None = None
    if rebase_real:
        real_base = canonical(from_base) if from_base is not None else base_of_column(value)
        if real_base is None:
            raise RealTermsError(
                f"to_real_terms: cannot tell the price base of {value!r}\n"
                "  Fix: pass from_base='YYYY/YY', the year whose prices the column is in."
            )
    else:
        _refuse_real(value)
        _require_cash(polars_frame, value, price_basis)
    table = _deflator_for(index, root, edition, base)
    years = _canonical_years(polars_frame, year)
    with_value = years.filter(polars_frame[value].is_not_null())
    _warn_forecast(table, [canonical(base), *([real_base] if real_base else [])], with_value, allow_forecast)
    at = dict(zip(table["financial_year"], table["gdp_deflator_index"], strict=True))
    new = name or real_column_name(value, base)
    _refuse_overwrite(polars_frame, new)
    if real_base is not None:
        if real_base not in at:
            raise RealTermsError(
                f"to_real_terms: the deflator has no index for {real_base}, the base of {value!r}\n"
                "  Fix: check from_base, or choose an edition that covers that year."
            )
        # real(b1) = cash x I(b1) / I(y) = real(b0) x I(b1) / I(b0); I(b1) = 100 after rebase.
        out = polars_frame.with_columns((pl.col(value) * (100.0 / at[real_base])).alias(new))
    else:
        factors = years.replace_strict(at, default=None, return_dtype=pl.Float64)
        out = polars_frame.with_columns((pl.col(value) * 100.0 / factors).alias(new))
    return restore(out)


def to_cash_terms(
    frame: Frame,
    value: str,
    year: str = "financial_year",
    index: pl.DataFrame | None = None,
    root: Path | str | None = None,
    *,
    edition: str | None = None,
    from_base: str | int | FinancialYear | None = None,
    name: str | None = None,
) -> Frame:
    """Add a column turning a real-terms column back into cash: the inverse of :func:`to_real_terms`.

    Used to check a real-terms table against the cash it came from, and to move a value
    between deflator editions (to cash on one, back to real terms on the other).

    Example:
        >>> import polars as pl
        >>> real = pl.DataFrame({"financial_year": ["2016/17"], "spend_gbp_m_real_2021_22": [112.05]})
        >>> round(to_cash_terms(real, "spend_gbp_m_real_2021_22")["spend_gbp_m_cash"].item(), 2)
        100.0

    Args:
        frame: Table with a real-terms column and a financial-year column (polars or pandas).
        value: The real-terms column; its base is read from its name (``..._real_2021_22``).
        year: The financial-year column.
        index: Deflator table; loaded from data/raw if omitted.
        root: Project root, used only when ``index`` is omitted.
        edition: Deflator edition, used only when ``index`` is omitted.
        from_base: Base of the column, when its name does not say.
        name: Name of the new column; by default :func:`cash_column_name`.

    Raises:
        RealTermsError: If the column's base cannot be told or a year cannot be read.
    """
    polars_frame, restore = _as_polars(frame)
    _require_columns(polars_frame, value, year)
    real_base = canonical(from_base) if from_base is not None else base_of_column(value)
    if real_base is None:
        raise RealTermsError(
            f"to_cash_terms: cannot tell the price base of {value!r}\n"
            "  Fix: pass from_base='YYYY/YY', the year whose prices the column is in."
        )
    table = _deflator_for(index, root, edition, real_base)
    years = _canonical_years(polars_frame, year)
    at = dict(zip(table["financial_year"], table["gdp_deflator_index"], strict=True))
    new = name or cash_column_name(value)
    _refuse_overwrite(polars_frame, new)
    factors = years.replace_strict(at, default=None, return_dtype=pl.Float64)
    return restore(polars_frame.with_columns((pl.col(value) * factors / 100.0).alias(new)))


# ---- checks shared by both directions -------------------------------------------------------


def _as_polars(frame: Any) -> tuple[pl.DataFrame, Callable[[pl.DataFrame], Any]]:
    """The frame as a polars DataFrame, and a function that turns a result back into its kind."""
    if isinstance(frame, pl.DataFrame):
        return frame, lambda out: out
    if isinstance(frame, pl.LazyFrame):
        return frame.collect(), lambda out: out.lazy()
    kind = type(frame)
    if kind.__module__.split(".")[0] == "pandas" and kind.__name__ == "DataFrame":
        return pl.from_pandas(frame), lambda out: out.to_pandas()
    raise TypeError(
        "expected a polars DataFrame or LazyFrame, or a pandas DataFrame, "
        f"not {kind.__module__}.{kind.__name__}"
    )


def _require_columns(frame: pl.DataFrame, value: str, year: str) -> None:
    missing = [c for c in (value, year) if c not in frame.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table ({', '.join(frame.columns)})")
    dtype = frame.schema[value]
    if not (dtype.is_numeric() or dtype == pl.Null):
        sample = frame[value].drop_nulls().head(1).to_list()
        shown = f" (first value {sample[0]!r})" if sample else ""
        raise RealTermsError(
            f"column {value!r} holds {dtype} values{shown}, not numbers, so it cannot be deflated\n"
            "  Fix: remove units, currency signs and thousands separators, then convert it to numbers, "
            f"e.g. frame.with_columns(pl.col({value!r}).cast(pl.Float64))."
        )


def _refuse_real(value: str) -> None:
    stated = base_of_column(value)
    if stated is None and "real" not in value.lower().split("_"):
        return
    at = f" at {stated} prices" if stated else ""
    raise RealTermsError(
        f"to_real_terms: column {value!r} is already in real terms{at}; deflating it again would "
        "take inflation out twice\n  Fix: to restate it at another base pass rebase_real=True"
        + ("" if stated else " and from_base='YYYY/YY'")
        + "; to deflate cash, pass the cash column."
    )


def _require_cash(frame: pl.DataFrame, value: str, price_basis: str | None) -> None:
    """Refuse rows that are not cash, or a table whose basis column is unclear."""
    if price_basis is None:
        return
    if price_basis not in frame.columns:
        if price_basis != PRICE_BASIS_COLUMN:
            raise KeyError(
                f"price_basis column {price_basis!r} not in the table ({', '.join(frame.columns)})"
            )
        candidates = [c for c in frame.columns if "basis" in c.lower() or c.lower() in {"prices", "price"}]
        if candidates:
            raise RealTermsError(
                f"to_real_terms: cannot tell which column says whether {value!r} is cash; "
                f"candidates: {', '.join(candidates)}\n  Fix: pass price_basis='<column>' (its values "
                "must be 'cash'), or price_basis=None if every row is cash."
            )
        return
    bad = frame.with_row_index("_row").filter(
        pl.col(value).is_not_null() & pl.col(price_basis).ne_missing(CASH)
    )
    if bad.height:
        kinds = "; ".join(sorted({repr(b) for b in bad[price_basis].to_list()}))
        shown = ", ".join(str(r) for r in bad["_row"].head(10))
        raise RealTermsError(
            f"to_real_terms: {bad.height} row(s) of {value!r} are not cash ({price_basis} is {kinds}; "
            f"rows {shown}, counting from 0)\n  Fix: keep only the cash rows, e.g. "
            f"frame.filter(pl.col({price_basis!r}) == 'cash'); a value already in real terms on "
            "another publisher's deflator cannot be converted with this one."
        )


def _deflator_for(
    index: pl.DataFrame | None, root: Path | str | None, edition: str | None, base: str | int | FinancialYear
) -> pl.DataFrame:
    if index is not None and edition is not None:
        raise RealTermsError(
            "both index and edition were given\n  Fix: pass index=deflator(edition=...) or edition=..., "
            "not both."
        )
    return rebase(index if index is not None else deflator(root=root, edition=edition), base)


def _canonical_years(frame: pl.DataFrame, year: str) -> pl.Series:
    """The year column as canonical "2021/22" text; raises naming the first value it cannot read."""
    out: list[str] = []
    seen: dict[object, str] = {}
    for row, raw in enumerate(frame[year].to_list()):
        if raw not in seen:
            try:
                seen[raw] = str(FinancialYear.parse(raw))
            except (TypeError, ValueError) as exc:
                raise RealTermsError(
                    f"row {row}, column {year!r}: {raw!r} is not a financial year ({exc})\n"
                    "  Fix: write years like '2021/22' (also read: '2021-22', '2021-2022', 2021)."
                ) from None
        out.append(seen[raw])
    return pl.Series(year, out, dtype=pl.String)


def _warn_forecast(table: pl.DataFrame, bases: list[str], years: pl.Series, allow: bool) -> None:
    if allow:
        return
    forecast = set(table.filter(pl.col("is_forecast") | pl.col("is_chained"))["financial_year"])
    parts = []
    base_years = sorted(set(bases) & forecast)
    if base_years:
        parts.append(f"the base {', '.join(base_years)}")
    used = sorted(set(years) & forecast)
    if used:
        parts.append(f"the year(s) {', '.join(used)}")
    if parts:
        warnings.warn(
            f"real terms for {' and '.join(parts)} rest on OBR forecast deflator values, which later "
            "editions revise; pass allow_forecast=True once the result says so",
            ForecastDeflatorWarning,
            stacklevel=3,
        )


def _refuse_overwrite(frame: pl.DataFrame, new: str) -> None:
    if new in frame.columns:
        raise RealTermsError(
            f"column {new!r} is already in the table\n  Fix: drop it first, or pass name='<new column>'."
        )
