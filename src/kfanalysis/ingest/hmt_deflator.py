"""HM Treasury's GDP deflator workbook: one row per financial year of the 'deflator update' sheet.

The sheet is found by its name ("31032023 deflator update"), the header row by
its text (a "YYYY-YY = 100" cell and "per cent change on previous year"), and
the year column by "Financial year" left of them, as ``kfanalysis.official``
does for the audit. Each edition is its own raw table (its index has its own
base year), so the editions the project holds are listed here with their table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kfanalysis.ingest.base import Extract, Row, column_letter, fail, number_text
from kfanalysis.official import _financial_year, _number, _text, _workbook_rows, deflator_header_columns
from kfanalysis.sources import sha256_of


@dataclass(frozen=True)
class Edition:
    """One held edition of the workbook.

    Attributes:
        table: The raw table its rows go to.
        cell_locators: True to name each value's cells (C58, D58) in the locator; False to name
            only the columns, as the extract of that edition was first written.
    """

    table: str
    cell_locators: bool


EDITIONS = {
    "hmt_gdp_deflator_2023_03_qna": Edition("gdp_deflator", cell_locators=False),
    "hmt_gdp_deflator_2023_06_qna": Edition("gdp_deflator_2023_06", cell_locators=True),
}
#: The first year the extracts keep: real terms are needed from the mid-2000s on, no earlier.
FIRST_YEAR = "2005/06"


def read(path: Path, source_id: str) -> Extract:
    """Read one edition's workbook into the rows of its raw table.

    A forecast year shows '-' for the index; its index is left empty and ``is_forecast`` set.

    Raises:
        KfError: If the sheet, the header row or the year column is not there, or no year is.
    """
    edition = EDITIONS[source_id]
    sheet, rows = _workbook_rows(path, r"deflator update")
    for number, row in enumerate(rows, start=1):
        cells = [_text(v) for v in row]
        columns = deflator_header_columns(cells)
        if columns is None:
            continue
        index_col, change_col, year_col = columns
        if year_col is None:
            raise fail(
                path,
                f"a 'Financial year' column left of {cells[index_col]!r} in sheet {sheet!r} row {number}",
                f"the cells {', '.join(repr(c) for c in cells if c)}",
                "check the workbook against HM Treasury's layout",
            )
        out: list[Row] = []
        started = False
        for line, body in enumerate(rows[number:], start=number + 1):
            label = _text(body[year_col]) if year_col < len(body) else ""
            year = _financial_year(label)
            if year is None:
                if started:
                    break  # footnotes end the table
                continue
            started = True
            if year < FIRST_YEAR:
                continue
            index = _number(body[index_col]) if index_col < len(body) else None
            change = _number(body[change_col]) if change_col < len(body) else None
            if edition.cell_locators:
                where = (
                    f"cells {column_letter(index_col)}{line} ('{cells[index_col]}') and "
                    f"{column_letter(change_col)}{line} ('{cells[change_col]}')"
                )
            else:
                where = f"columns '{cells[index_col]}' and '{cells[change_col]}'"
            out.append(
                {
                    "financial_year": year,
                    "gdp_deflator_index": "" if index is None else number_text(index),
                    "gdp_deflator_change_pct": "" if change is None else number_text(change),
                    "is_forecast": "true" if index is None else "false",
                    "source_id": source_id,
                    "locator": f"sheet '{sheet}', row {line} ('{label}'), {where}",
                    "read_at": "",
                    "note": "",
                }
            )
        if not out:
            raise fail(
                path,
                f"financial years from {FIRST_YEAR} below the header in sheet {sheet!r}",
                "no year rows",
                "check that this is an HM Treasury GDP deflator workbook",
            )
        return Extract(edition.table, source_id, path, sha256_of(path), out)
    raise fail(
        path,
        f"a header row in sheet {sheet!r} with a 'YYYY-YY = 100' cell and 'per cent change on previous year'",
        "no such row",
        "check that this is an HM Treasury GDP deflator workbook",
    )
