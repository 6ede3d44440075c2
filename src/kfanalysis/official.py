"""Readers for the official files themselves, so our extracts can be checked against them.

Our extracts in data/raw were transcribed from these files. To show that no
value was mistyped, rounded or read from the wrong row, each reader here goes
back to the file as its publisher laid it out and returns the same tidy values
(one row per financial year), which ``kfanalysis.audit`` compares one by one.

Publishers move things around between editions: a sheet is renamed after its
release date, a header row gains a line. So every reader finds its sheet by a
name pattern and its header row and columns by their text, never by a fixed
cell address, and says which file and what it looked for when it cannot.
Values come back as ``Float64``; numbers in the files are already binary
floating point (spreadsheets) or short decimals (CSV), so converting the float
back with ``repr`` gives the published digits exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.periods import FinancialYear

#: Schema of the generic readers' output: one value per financial year.
VALUE_SCHEMA = {"financial_year": pl.String, "value": pl.Float64}
#: Schema of the HM Treasury deflator reader's output, named as in data/raw/gdp_deflator.csv.
DEFLATOR_SCHEMA = {
    "financial_year": pl.String,
    "gdp_deflator_index": pl.Float64,
    "gdp_deflator_change_pct": pl.Float64,
}
#: The row of NHS Digital's ASC Overview 'Table 5' that our real-terms extract is read from.
ASC_REAL_TERMS_ROW = "Gross current expenditure: real terms, 2020-21 prices (£bn)"

# A financial-year label at the start of a cell: "2021-22", or "2022-23 (1), (2)" with footnotes.
_YEAR_LABEL = re.compile(r"^\s*(\d{4}\s*[-/]\s*\d{2,4})\b")
_BASE_HEADER = re.compile(r"^\s*(\d{4}\s*-\s*\d{2})\s*=\s*100\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s+Q([1-4])\s*$")


def _fail(path: Path, what: str, fix: str) -> KfError:
    return KfError(f"{path}: {what}\n  Fix: {fix}")


def _text(value: Any) -> str:
    """A cell as trimmed text ('' for empty), for matching labels."""
    return "" if value is None else str(value).strip()


def _number(value: Any) -> float | None:
    """A cell as a number, or None where the publisher shows none ('-', '..', blank)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _workbook_rows(path: Path, sheet_pattern: str) -> tuple[str, list[tuple[Any, ...]]]:
    """The cell values of the one sheet whose name matches ``sheet_pattern`` (case-insensitive)."""
    import openpyxl

    if not path.is_file():
        raise _fail(path, "file not found", "download it with `kfanalysis fetch` or check the path")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise _fail(
            path, f"cannot be opened as an Excel workbook ({exc})", "download the file again"
        ) from exc
    try:
        names = [n for n in workbook.sheetnames if re.search(sheet_pattern, n, flags=re.IGNORECASE)]
        if len(names) != 1:
            found = "no sheet" if not names else f"{len(names)} sheets ({', '.join(names)})"
            raise _fail(
                path,
                f"{found} matching {sheet_pattern!r}; sheets are: {', '.join(workbook.sheetnames)}",
                "check that this is the right publication and edition",
            )
        rows = [tuple(row) for row in workbook[names[0]].iter_rows(values_only=True)]
        return names[0], rows
    finally:
        workbook.close()


def _financial_year(label: Any) -> str | None:
    """Canonical financial year from a row label, or None if the label is not a year."""
    match = _YEAR_LABEL.match(_text(label))
    if match is None:
        return None
    try:
        return str(FinancialYear.parse(re.sub(r"\s", "", match.group(1))))
    except ValueError:
        return None


def deflator_header_columns(cells: list[str]) -> tuple[int, int, int | None] | None:
    """Columns of HM Treasury's deflator header row: index, per cent change, financial year.

    The row is found by its text, not its place: the index column's header names its base
    year, the change column starts "Per cent change", and the year column is the one headed
    "Financial year" left of the index. None when ``cells`` is not that row; the year column
    is None when the row has the other two but no year header (a layout to report).
    """
    index_col = next((i for i, c in enumerate(cells) if _BASE_HEADER.match(c)), None)
    change_col = next((i for i, c in enumerate(cells) if c.lower().startswith("per cent change")), None)
    if index_col is None or change_col is None:
        return None
    year_col = next((i for i, c in enumerate(cells[:index_col]) if c.lower() == "financial year"), None)
    return index_col, change_col, year_col


def read_hmt_deflator(path: Path | str, base: str = "2021/22") -> pl.DataFrame:
    """Read HM Treasury's GDP deflator workbook: the financial-year index and its percentage change.

    The sheet is the one named like "31032023 deflator update"; the header row is
    the one that holds both a "YYYY-YY = 100" cell and "per cent change on
    previous year"; the year column is the "Financial year" cell left of them.
    Forecast years show "-" for the index and come back as null, as in our extract.

    Args:
        path: The workbook (.xlsx).
        base: The financial year the index must be based on; a workbook with another
            base is rejected rather than compared.

    Returns:
        financial_year, gdp_deflator_index, gdp_deflator_change_pct, in file order.

    Raises:
        KfError: If the sheet, the header row or its columns are not there, or the base differs.
    """
    path = Path(path)
    sheet, rows = _workbook_rows(path, r"deflator update")
    for number, row in enumerate(rows):
        cells = [_text(v) for v in row]
        columns = deflator_header_columns(cells)
        if columns is None:
            continue
        index_col, change_col, year_col = columns
        if year_col is None:
            raise _fail(
                path,
                f"sheet {sheet!r} row {number + 1}: no 'Financial year' column left of the index",
                "check the workbook layout against the publication",
            )
        found_base = _BASE_HEADER.match(cells[index_col])
        assert found_base is not None
        if str(FinancialYear.parse(found_base.group(1).replace(" ", ""))) != str(FinancialYear.parse(base)):
            raise _fail(
                path,
                f"index is based on {found_base.group(1)} = 100, not {base}",
                "use the edition whose index is based on the year our extract uses",
            )
        return _deflator_body(rows[number + 1 :], year_col, index_col, change_col)
    raise _fail(
        path,
        f"sheet {sheet!r} has no header row with 'YYYY-YY = 100' and 'per cent change on previous year'",
        "check that this is an HM Treasury GDP deflator workbook",
    )


def _deflator_body(
    rows: list[tuple[Any, ...]], year_col: int, index_col: int, change_col: int
) -> pl.DataFrame:
    records: dict[str, list[Any]] = {name: [] for name in DEFLATOR_SCHEMA}
    started = False
    for row in rows:
        year = _financial_year(row[year_col] if year_col < len(row) else None)
        if year is None:
            if started:
                break  # the first non-year row after the table (footnotes) ends it
            continue
        started = True
        records["financial_year"].append(year)
        records["gdp_deflator_index"].append(_number(row[index_col]) if index_col < len(row) else None)
        records["gdp_deflator_change_pct"].append(_number(row[change_col]) if change_col < len(row) else None)
    return pl.DataFrame(records, schema=DEFLATOR_SCHEMA)


def read_asc_overview_row(
    path: Path | str, row_label: str = ASC_REAL_TERMS_ROW, sheet: str = "Table 5"
) -> pl.DataFrame:
    """Read one row of a table in NHS Digital's Adult Social Care Overview data tables.

    The sheet is found by its exact name, the header by the row whose cells are
    financial years, and the data row by its label in the first column.

    Args:
        path: The data tables workbook (.xlsx).
        row_label: The measure's label, exactly as in the workbook.
        sheet: The sheet's name.

    Returns:
        financial_year, value: one row per year the table shows a number for.

    Raises:
        KfError: If the sheet, the year header or the row is not there.
    """
    path = Path(path)
    _, rows = _workbook_rows(path, rf"^\s*{re.escape(sheet)}\s*$")
    header: dict[int, str] | None = None
    for row in rows:
        years = {i: y for i, y in ((i, _financial_year(v)) for i, v in enumerate(row)) if y is not None}
        if header is None and len(years) >= 2:
            header = years
            continue
        if header is not None and row and _text(row[0]) == row_label:
            pairs = [(year, _number(row[i]) if i < len(row) else None) for i, year in header.items()]
            return pl.DataFrame(
                {
                    "financial_year": [y for y, v in pairs if v is not None],
                    "value": [v for _, v in pairs if v is not None],
                },
                schema=VALUE_SCHEMA,
            )
    if header is None:
        raise _fail(path, f"sheet {sheet!r} has no row of financial years", "check the workbook layout")
    raise _fail(
        path,
        f"sheet {sheet!r} has no row labelled {row_label!r}",
        "check the label against the workbook (it must match exactly, including the unit)",
    )


def _csv_rows(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise _fail(path, "file not found", "download it or check the path")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older ONS downloads are Windows-encoded (a '£' in a title); the fields read here are ASCII.
        text = data.decode("latin-1")
    yield from csv.reader(io.StringIO(text, newline=""))


def read_ons_financial_year_means(path: Path | str, series: str = "L8GG") -> pl.DataFrame:
    """Financial-year means of a quarterly series in an ONS time-series dataset CSV (e.g. the QNA).

    HM Treasury's financial-year deflator is the mean of ONS's quarterly L8GG over
    April-June to January-March (Q2, Q3, Q4 of the first calendar year and Q1 of
    the next), so this recomputes it from ONS's own file. The column is found by
    the series id in the "CDID" row; quarters by labels like "2021 Q2". Only years
    with all four quarters published are returned. The mean is taken in exact
    decimal arithmetic, so a mean that lands on half a unit is not blurred.

    Args:
        path: The dataset CSV in ONS's layout (a "CDID" row of series ids, then one row per period).
        series: The four-character series id (CDID).

    Returns:
        financial_year, value: the mean of the four quarters, in year order.

    Raises:
        KfError: If there is no single CDID row, the series is missing or a value is not a number.
    """
    path = Path(path)
    rows = list(_csv_rows(path))
    ids = [row for row in rows if row and row[0].strip() == "CDID"]
    if len(ids) != 1:
        raise _fail(
            path, f"expected one 'CDID' row of series ids, found {len(ids)}", "use the ONS dataset CSV"
        )
    columns = [i for i, cdid in enumerate(ids[0]) if cdid.strip() == series]
    if len(columns) != 1:
        raise _fail(
            path, f"series {series} appears {len(columns)} times in the CDID row", "use the ONS QNA CSV"
        )
    column = columns[0]
    quarters: dict[tuple[int, int], Decimal] = {}
    for row in rows:
        match = _QUARTER.match(row[0]) if row else None
        if match is None or column >= len(row) or not row[column].strip():
            continue
        try:
            quarters[int(match.group(1)), int(match.group(2))] = Decimal(row[column].strip())
        except InvalidOperation as exc:
            raise _fail(
                path, f"{row[0]}, {series}: {row[column]!r} is not a number", "check the file"
            ) from exc
    years: list[str] = []
    means: list[float] = []
    for start in sorted({year for year, _ in quarters}):
        wanted = [(start, 2), (start, 3), (start, 4), (start + 1, 1)]
        if all(q in quarters for q in wanted):
            years.append(str(FinancialYear(start)))
            means.append(float(sum((quarters[q] for q in wanted), Decimal(0)) / 4))
    return pl.DataFrame({"financial_year": years, "value": means}, schema=VALUE_SCHEMA)
