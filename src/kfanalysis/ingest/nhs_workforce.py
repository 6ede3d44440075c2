"""NHS Digital's monthly HCHS headcount by staff group and grade (the CSV layout we hold).

The file has a header row of first-of-month dates (01/09/16) and one row per
staff group or grade, labelled in the first cell; counts use Indian-style digit
grouping ("11,54,679") in the copy held, so every comma is dropped. Rows and
months are found by their text. The staff groups and months the project keeps
are declared below: Figures 5 and 6 use September snapshots (and March ones for
the consultants' five-year comparison).
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.ingest.base import Extract, Row, fail
from kfanalysis.sources import sha256_of

_MONTH = re.compile(r"^(\d{2})/(\d{2})/(\d{2})$")
_PREFIX = "monthly headcount by staff group and grade"
_UNSTATED = "which table of the release is not stated in the copy"


@dataclass(frozen=True)
class Selection:
    """The rows of one raw table this file gives.

    Attributes:
        table: The raw table.
        label: The staff group's label in the file's first column.
        staff_group: Our name for it.
        months: The month columns kept, as the file heads them, in the order the table lists them.
        positions: True to name the file row and column number in the locator (as Figure 6's
            extract was first written); False to name only the row label and month.
    """

    table: str
    label: str
    staff_group: str
    months: tuple[str, ...]
    positions: bool


SELECTIONS = (
    Selection(
        "doctors_workforce",
        "Consultant",
        "HCHS consultants",
        (*(f"01/09/{y}" for y in range(16, 22)), "01/03/17", "01/03/22"),
        positions=False,
    ),
    Selection(
        "nurses_workforce",
        "Nurses & health visitors",
        "nurses and health visitors",
        tuple(f"01/09/{y}" for y in range(12, 22)),
        positions=True,
    ),
)
EDITIONS = ("nhsd_workforce_stats_2022_07",)


def _snapshot(path: Path, month: str) -> str:
    """'01/09/16' (the file's first-of-month label) as that month's last day, '2016-09-30'."""
    found = _MONTH.match(month)
    if found is None:
        raise fail(path, "a month heading like 01/09/16", repr(month), "check the header row")
    year, number = 2000 + int(found.group(3)), int(found.group(2))
    return f"{year}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"


def read(path: Path, source_id: str) -> list[Extract]:
    """Read the declared staff groups and months, one Extract per raw table.

    Raises:
        KfError: If there is no header row of months, a staff group's row or a month is missing,
            or a count is not a whole number.
    """
    lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    header_at = next(
        (i for i, line in enumerate(lines) if sum(bool(_MONTH.match(c.strip())) for c in line) >= 12), None
    )
    if header_at is None:
        raise fail(path, "a header row of monthly dates (01/09/09, ...)", "none", "check the file's layout")
    header = [c.strip() for c in lines[header_at]]
    digest = sha256_of(path)
    extracts = []
    for pick in SELECTIONS:
        at = next((i for i, line in enumerate(lines) if line and line[0].strip() == pick.label), None)
        if at is None:
            labels = sorted({line[0].strip() for line in lines if line and line[0].strip()})
            raise fail(path, f"a row labelled {pick.label!r}", f"the labels {labels}", "check the file")
        rows: list[Row] = []
        for month in pick.months:
            if month not in header:
                raise fail(
                    path,
                    f"a column headed {month}",
                    f"months {header[1]} to {header[-1]}",
                    "use the edition that holds it",
                )
            column = header.index(month)
            text = lines[at][column].strip().replace(",", "") if column < len(lines[at]) else ""
            if not text.isdigit():
                raise fail(
                    path,
                    f"a whole number at row {at + 1} ({pick.label!r}), column {column + 1} ({month})",
                    repr(text),
                    "check the file",
                )
            if pick.positions:
                where = (
                    f"row '{pick.label}' (row {at + 1} of the copy), column {month} "
                    f"(column {column + 1}); {_UNSTATED}"
                )
            else:
                where = f"row '{pick.label}', column {month} ({_UNSTATED})"
            rows.append(
                {
                    "snapshot_date": _snapshot(path, month),
                    "staff_group": pick.staff_group,
                    "basis": "headcount",
                    "staff_number": str(int(text)),
                    "source_id": source_id,
                    "locator": f"{_PREFIX}, {where}",
                    "read_at": "",
                    "note": "",
                }
            )
        extracts.append(Extract(pick.table, source_id, path, digest, rows))
    return extracts
