"""A built table for a briefing: plain headings with units, numbers at the precision they are published to.

An analyst pasting a figure's numbers into a note wants "Vacancy rate (%)"
and 9.9, not ``vacancy_rate_pct`` and 9.900000000000000355. :func:`export`
reads a built table as the build wrote it (through ``kfanalysis.outputs``, so
an edited file is refused), heads each column with its label and unit from
``kfanalysis.fields``, rounds each number and writes CSV and/or an Excel
workbook (with XlsxWriter, the writer polars itself uses for Excel).

Precision: a ledger row's numbers are rounded to the precision its published
number has (``precision_decimals``, which may be negative: -5 is to the nearest
hundred thousand). A figure table's decimals follow :data:`DECIMALS_BY_UNIT`,
the precision the report and the official releases publish in that unit.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.fields import FIELDS, TABLES

#: Decimal places a figure table's numbers are shown with, by unit (see the module docstring).
DECIMALS_BY_UNIT: dict[str | None, int] = {
    "%": 1,
    "% a year": 1,
    "£ billion": 2,
    "£ billion, 2021/22 prices": 2,
    "index": 1,
    "index (reference year = 100)": 4,
    "count a year": 0,
    "count a day": 0,
    "FTE or people": 0,
    "years": 1,
    "see value_unit": 1,
}
#: Ledger columns rounded to each row's published precision.
LEDGER_ROUNDED = ("ours_value", "difference", "ours_value_deflator_2023_06")
FORMATS = ("csv", "xlsx")
#: Fixed creation time written into workbooks, so the same table gives the same file.
_WORKBOOK_TIME = _dt.datetime(2024, 2, 1, tzinfo=_dt.UTC)


def heading(column: str) -> str:
    """A column's plain heading with its unit, e.g. ``"Vacancy rate (%)"``."""
    field = FIELDS[column]
    return f"{field.heading()} ({field.unit})" if field.unit else field.heading()


def _rounded(value: float | None, decimals: int) -> float | None:
    """Round half away from zero at ``decimals`` places (negative: tens, hundreds...), as publishers do."""
    if value is None or not math.isfinite(value):
        return value
    scale = 10.0**decimals
    return math.copysign(math.floor(abs(value) * scale + 0.5), value) / scale


def briefing_table(name: str, root: Path | str | None = None) -> tuple[pl.DataFrame, dict[str, list[int]]]:
    """A built table rounded for a briefing, with plain headings, and each number's decimals.

    Args:
        name: A built table, e.g. ``"fig7_vacancies"`` or ``"ledger"``.
        root: Project root; found as every reading call finds it if omitted.

    Returns:
        The table with columns renamed to their headings, and for each number column (by
        heading) the decimals each row is shown with (a ledger row's own published precision).
    """
    from kfanalysis.outputs import read_table

    spec = TABLES.get(name)
    if spec is None or spec.is_raw:
        raise KfError(
            f"{name!r} is not a built table\n  Fix: export one of "
            + ", ".join(n for n, t in TABLES.items() if not t.is_raw)
        )
    frame = read_table(name, root)
    decimals: dict[str, list[int]] = {}
    if name == "ledger":
        places = frame["precision_decimals"].to_list()
        for column in LEDGER_ROUNDED:
            rounded = [_rounded(v, d) for v, d in zip(frame[column].to_list(), places, strict=True)]
            frame = frame.with_columns(pl.Series(column, rounded, dtype=pl.Float64))
        for column in ("published_value", *LEDGER_ROUNDED):
            decimals[column] = [max(0, d) for d in places]
    else:
        for column in spec.columns:
            if FIELDS[column].dtype != "float":
                continue
            unit = FIELDS[column].unit
            if unit not in DECIMALS_BY_UNIT:
                raise KfError(
                    f"no published precision declared for unit {unit!r} (column {column} of {name})\n"
                    "  Fix: add the unit to DECIMALS_BY_UNIT in kfanalysis/briefing.py."
                )
            places_here = DECIMALS_BY_UNIT[unit]
            rounded = [_rounded(v, places_here) for v in frame[column].to_list()]
            frame = frame.with_columns(pl.Series(column, rounded, dtype=pl.Float64))
            decimals[column] = [places_here] * frame.height
    labelled = frame.rename({c: heading(c) for c in frame.columns})
    return labelled, {heading(c): d for c, d in decimals.items()}


def export(
    name: str,
    folder: Path | str = ".",
    *,
    formats: Sequence[str] = FORMATS,
    root: Path | str | None = None,
) -> list[Path]:
    """Write a built table for a briefing as ``NAME.csv`` and/or ``NAME.xlsx``.

    Example:
        >>> import kfanalysis, tempfile
        >>> [p.name for p in kfanalysis.export("fig7_vacancies", tempfile.mkdtemp())]
        ['fig7_vacancies.csv', 'fig7_vacancies.xlsx']

    Args:
        name: A built table, e.g. ``"fig7_vacancies"`` or ``"ledger"``.
        folder: Where to write; made if missing.
        formats: ``"csv"``, ``"xlsx"`` or both.
        root: Project root; found as every reading call finds it if omitted.

    Returns:
        The files written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise KfError(f"unknown export format(s) {unknown}\n  Fix: use csv and/or xlsx.")
    table, decimals = briefing_table(name, root)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if "csv" in formats:
        path = out / f"{name}.csv"
        _csv(table, decimals).write_csv(path, line_terminator="\n", null_value="")
        written.append(path)
    if "xlsx" in formats:
        path = out / f"{name}.xlsx"
        _xlsx(table, decimals, path, name)
        written.append(path)
    return written


def _csv(table: pl.DataFrame, decimals: dict[str, list[int]]) -> pl.DataFrame:
    """Numbers as text with their decimals kept (7.0 stays 7.0), so the CSV shows the precision."""
    return table.with_columns(
        pl.Series(
            c,
            [None if v is None else f"{v:.{d}f}" for v, d in zip(table[c].to_list(), places, strict=True)],
            dtype=pl.String,
        )
        for c, places in decimals.items()
    )


def _xlsx(table: pl.DataFrame, decimals: dict[str, list[int]], path: Path, name: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    try:
        workbook.set_properties({"title": name, "created": _WORKBOOK_TIME})
        sheet = workbook.add_worksheet(name[:31])
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        number_formats = {
            d: workbook.add_format({"num_format": "0" if d == 0 else "0." + "0" * d})
            for d in sorted({d for places in decimals.values() for d in places})
        }
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, column, bold)
            sheet.set_column(col, col, min(max(len(column), 10), 40))
            for row, value in enumerate(table[column].to_list(), start=1):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    places = decimals.get(column)
                    shown = number_formats[places[row - 1]] if places else None
                    sheet.write_number(row, col, value, shown)
                else:
                    sheet.write_string(row, col, str(value))
        sheet.freeze_panes(1, 0)
    finally:
        workbook.close()
