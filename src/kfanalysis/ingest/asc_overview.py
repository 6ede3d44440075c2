"""NHS Digital's Adult Social Care Overview data tables: the age-band counts Figure 4 uses.

Each measure is found by its sheet's name and its row's label in the first
column; the years by the header row whose cells are financial years ('2015-16').
Counts are published rounded to the nearest 5 and are kept as whole numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

from kfanalysis.ingest.base import Extract, Row, column_letter, fail, number_text
from kfanalysis.official import _financial_year, _number, _text, _workbook_rows
from kfanalysis.sources import sha256_of

#: The rows the project keeps: (sheet, row label in the workbook) -> our measure name.
MEASURES = {
    ("Table 1", "Number of new requests for support: Age 18-64"): (
        "requests for support from new clients, aged 18-64"
    ),
    ("Table 1", "Number of new requests for support: Age 65 and over"): (
        "requests for support from new clients, aged 65 and over"
    ),
    ("Table 2", "Number of completed episodes of ST-Max for new and existing clients: Age 18-64"): (
        "short-term support to maximise independence (ST-Max), completed episodes, aged 18-64"
    ),
    ("Table 2", "Number of completed episodes of ST-Max for new and existing clients: Age 65 and over"): (
        "short-term support to maximise independence (ST-Max), completed episodes, aged 65 and over"
    ),
    ("Table 3", "Number receiving long-term support during the year: Age 18-64"): (
        "long-term support during the year, aged 18-64"
    ),
    ("Table 3", "Number receiving long-term support during the year: Age 65 and over"): (
        "long-term support during the year, aged 65 and over"
    ),
}
EDITIONS = {"nhsd_asc_overview_2022": "asc_activity"}


def read(path: Path, source_id: str) -> Extract:
    """Read the age-band counts, one row per measure and year, measure by measure in the order above.

    Raises:
        KfError: If a sheet, its row of years or a measure's row is not there.
    """
    out: list[Row] = []
    sheets: dict[str, tuple[str, list[tuple[object, ...]]]] = {}
    for (sheet_name, label), measure in MEASURES.items():
        if sheet_name not in sheets:
            sheets[sheet_name] = _workbook_rows(path, rf"^\s*{re.escape(sheet_name)}\s*$")
        sheet, rows = sheets[sheet_name]
        header: dict[int, str] | None = None
        found = False
        for number, row in enumerate(rows, start=1):
            years = {i: y for i, y in ((i, _financial_year(v)) for i, v in enumerate(row)) if y is not None}
            if header is None and len(years) >= 2:
                header = years
                continue
            if header is None or not row or _text(row[0]) != label:
                continue
            found = True
            for column, year in header.items():
                value = _number(row[column]) if column < len(row) else None
                if value is None:
                    continue
                cell = f"{column_letter(column)}{number}"
                out.append(
                    {
                        "financial_year": year,
                        "measure": measure,
                        "activity_count": number_text(value),
                        "precision_decimals": "0",
                        "source_id": source_id,
                        "locator": f"data tables, sheet '{sheet}', row {number} '{label}', cell {cell}",
                        "read_at": "",
                        "note": "",
                    }
                )
            break
        if not found:
            raise fail(
                path,
                f"a row labelled {label!r} in sheet {sheet!r}, below a row of financial years",
                "no such row" if header is not None else "no row of financial years",
                "check the label against the workbook (it must match exactly)",
            )
    return Extract(EDITIONS[source_id], source_id, path, sha256_of(path), out)
