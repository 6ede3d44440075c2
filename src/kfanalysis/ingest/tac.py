"""NHS England's Trust Accounts Consolidation (TAC) data files: one row per trust and year.

Layout (documented from NHS England's published files and illustrative forms):
a long sheet "All data" (the case varies by year) with seven columns, one value
per row, in £000, each value identified by MainCode (the form's column: "A08CY01"
current year, "A08PY01" prior year) and SubCode (the form's line: "EXP0390" total
operating expenditure). The organisation and value columns were renamed in
2022/23 ("Organisation Name"/"Value number" became "OrganisationName"/"Total"),
and some files pad names with spaces, so columns are matched loosely by name.
A second sheet "List of Providers" gives each trust's official ``Sector`` and,
where shown, its three-character NHS (ODS) code; trusts are joined to it on
their full name, loosely (case, spacing, "&" for "and", apostrophes).

Files run to hundreds of thousands of rows, so the sheet is read column-wise
with polars' calamine engine (every column as text, then typed here), which
takes seconds where a cell-by-cell reader takes minutes.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import polars as pl

from kfanalysis.ingest.base import Extract, Row, fail, loose, number_text
from kfanalysis.periods import FinancialYear
from kfanalysis.sources import sha256_of

#: The lines read, each with the raw table column it fills.
LINES = {
    "EXP0390": "operating_expenditure_gbp_k",
    "SCI0125A": "soci_operating_expenses_gbp_k",
    "INC1365": "operating_income_gbp_k",
}
#: The official sectors of "List of Providers", as the raw table writes them.
SECTORS = ("Acute", "Specialist", "Mental Health", "Community", "Ambulance")
TABLE = "trust_accounts"

# Each "All data" column: our name -> the loose header names it has had.
_COLUMNS = {
    "organisation": ("organisationname", "orgname", "providername", "organisation"),
    "worksheet": ("worksheetname",),
    "table_id": ("tableid",),
    "main_code": ("maincode",),
    "row_number": ("rownumber",),
    "sub_code": ("subcode",),
    "value": ("valuenumber", "total", "value", "amount"),
}
_MAIN_CODE = re.compile(r"^A\d{2}(CY|PY)01$")
_FILE_YEAR = re.compile(r"(20\d{2})[-_ ]?(\d{2})(?!\d)")


def _progress(message: str, show: bool) -> None:
    if show:
        print(message, file=sys.stderr, flush=True)


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, read without loading any sheet."""
    import fastexcel

    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # the reader raises its own error types for a damaged file
        raise fail(
            path, "an Excel workbook", f"a file that cannot be opened ({exc})", "download it again"
        ) from exc


def _sheet(path: Path, names: list[str], wanted: str) -> str:
    found = [n for n in names if loose(n) == loose(wanted)]
    if len(found) != 1:
        raise fail(
            path,
            f"one sheet named {wanted!r} (any case or spacing)",
            f"sheets {', '.join(repr(n) for n in names)}",
            "check that this is a TAC data file ('TAC data published in NHS ... accounts'), not an "
            "illustrative form or a summary",
        )
    return found[0]


def file_year(path: Path, source_id: str) -> FinancialYear:
    """The financial year a TAC file is for: from its edition's id ('..._2021_22'), checked against its name.

    NHS England names each file for its year ('...accounts-for-2021-22.xlsx'); a file saved under
    another name is accepted on its edition alone, but a name naming another year is refused.
    """
    by_id = _FILE_YEAR.findall(source_id.replace("_", "-"))
    by_name = _FILE_YEAR.findall(path.stem)
    if len(by_id) != 1:
        raise fail(
            path,
            "an edition id ending in its financial year, like nhse_tac_nhs_trusts_2021_22",
            repr(source_id),
            "name the TAC edition in sources.toml after its year",
        )
    year = FinancialYear.parse("/".join(by_id[0]))
    if len(by_name) == 1 and FinancialYear.parse("/".join(by_name[0])) != year:
        raise fail(
            path,
            f"a file for {year}, the year of edition {source_id}",
            f"a file name for {FinancialYear.parse('/'.join(by_name[0]))}",
            "check that the file is the edition given (--edition) or recorded in sources.toml",
        )
    return year


def read_all_data(path: Path, sheet: str) -> pl.DataFrame:
    """The "All data" sheet with its columns named as in ``_COLUMNS``, plus ``excel_row``.

    Raises:
        KfError: If a column is not found by its name.
    """
    frame = pl.read_excel(
        path,
        sheet_name=sheet,
        engine="calamine",
        infer_schema_length=0,  # every column as text; typed below
        drop_empty_rows=False,
        raise_if_empty=False,
    )
    headers = {loose(c): c for c in frame.columns}
    picked: dict[str, str] = {}
    for ours, names in _COLUMNS.items():
        match = next((headers[n] for n in names if n in headers), None)
        if match is None:
            raise fail(
                path,
                f"in sheet {sheet!r}, row 1, a column named like {' or '.join(repr(n) for n in names)}",
                f"the columns {', '.join(repr(c) for c in frame.columns)}",
                "if NHS England renamed a column, add its new name to _COLUMNS in kfanalysis/ingest/tac.py",
            )
        picked[ours] = match
    return frame.select(
        pl.int_range(2, pl.len() + 2).alias("excel_row"),  # row 1 is the header
        *(pl.col(theirs).str.strip_chars().alias(ours) for ours, theirs in picked.items()),
    )


def read_providers(path: Path, sheet: str) -> pl.DataFrame:
    """The "List of Providers" sheet: name, NHS code (where given), sector and the sheet row.

    The header row is the first one holding "Full name of Provider" and "Sector".

    Raises:
        KfError: If there is no such header row.
    """
    raw = pl.read_excel(
        path,
        sheet_name=sheet,
        engine="calamine",
        has_header=False,
        infer_schema_length=0,
        drop_empty_rows=False,
        raise_if_empty=False,
    )
    for number, row in enumerate(raw.iter_rows(), start=1):
        cells = [loose(c) for c in row]
        if "fullnameofprovider" in cells and "sector" in cells:
            name_at, sector_at = cells.index("fullnameofprovider"), cells.index("sector")
            code_at = cells.index("nhscode") if "nhscode" in cells else None
            body = raw.slice(number)
            columns = body.columns
            return pl.DataFrame(
                {
                    "provider": body[columns[name_at]].str.strip_chars(),
                    "ods_code": body[columns[code_at]].str.strip_chars() if code_at is not None else None,
                    "sector": body[columns[sector_at]].str.strip_chars(),
                    "provider_row": range(number + 1, number + 1 + body.height),
                },
                schema={
                    "provider": pl.String,
                    "ods_code": pl.String,
                    "sector": pl.String,
                    "provider_row": pl.Int64,
                },
            ).filter(pl.col("provider").is_not_null())
    raise fail(
        path,
        f"a header row in sheet {sheet!r} with 'Full name of Provider' and 'Sector'",
        "no such row",
        "check the sheet against NHS England's layout",
    )


def name_key(name: str) -> str:
    """A trust name reduced for matching between the two sheets ('&' = 'and', no punctuation or case)."""
    return loose(re.sub(r"&", " and ", name))


def _sector(path: Path, sheet: str, row: int, text: str | None) -> str:
    for sector in SECTORS:
        if loose(text) == loose(sector):
            return sector
    raise fail(
        path,
        f"in sheet {sheet!r} row {row}, a Sector that is one of {', '.join(SECTORS)}",
        repr(text) if text else "an empty Sector",
        "check the provider list; a new sector must be added to SECTORS in kfanalysis/ingest/tac.py",
    )


def read(path: Path, source_id: str, progress: bool = False) -> Extract:
    """Read one TAC file into one row per trust and year (its current and prior year).

    Raises:
        KfError: If a sheet or column is missing, a trust has no sector, or a line is given twice.
    """
    started = time.perf_counter()
    year = file_year(path, source_id)
    names = sheet_names(path)
    data_sheet = _sheet(path, names, "All data")
    list_sheet = _sheet(path, names, "List of Providers")
    size_mb = path.stat().st_size / 1e6
    _progress(f"  reading {path.name} ({size_mb:.1f} MB), sheet {data_sheet!r} ...", progress)
    data = read_all_data(path, data_sheet)
    _progress(
        f"  {data.height:,} rows read in {time.perf_counter() - started:.1f} s; picking the totals", progress
    )
    lines = data.filter(
        pl.col("sub_code").is_in(list(LINES)) & pl.col("main_code").str.contains(_MAIN_CODE.pattern)
    )
    lines = lines.with_columns(
        pl.col("value").cast(pl.Float64, strict=False).alias("amount"),
        pl.col("main_code").str.slice(3, 2).alias("cy_py"),
    )
    bad = lines.filter(pl.col("value").is_not_null() & pl.col("amount").is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise fail(
            path,
            f"a number in sheet {data_sheet!r} row {first['excel_row']}",
            repr(first["value"]),
            "check the file",
        )
    twice = lines.group_by("organisation", "sub_code", "main_code").len().filter(pl.col("len") > 1)
    if twice.height:
        first = twice.row(0, named=True)
        raise fail(
            path,
            f"one value per trust, line and column in sheet {data_sheet!r}",
            f"{first['len']} rows for {first['organisation']!r}, {first['sub_code']} {first['main_code']}",
            "check the file",
        )
    providers = read_providers(path, list_sheet)
    by_name = {name_key(p["provider"]): p for p in providers.iter_rows(named=True)}
    years = {"CY": str(year), "PY": str(year.previous())}
    rows: list[Row] = []
    for organisation in sorted(set(lines["organisation"].drop_nulls())):
        provider = by_name.get(name_key(organisation))
        if provider is None:
            raise fail(
                path,
                f"trust {organisation!r} of sheet {data_sheet!r} in sheet {list_sheet!r}, to give its sector",
                "no provider of that name (compared ignoring case, spacing, punctuation and '&'/'and')",
                "check the two sheets; a trust with no sector cannot be placed in a trust type",
            )
        sector = _sector(path, list_sheet, provider["provider_row"], provider["sector"])
        code = provider["ods_code"] or ""
        mine = lines.filter(pl.col("organisation") == organisation)
        for cy_py in ("CY", "PY"):
            cells = mine.filter(pl.col("cy_py") == cy_py).sort("excel_row")
            if not cells.height:
                continue
            values = {LINES[c["sub_code"]]: c for c in cells.iter_rows(named=True)}
            where = "; ".join(
                f"row {c['excel_row']} ({c['sub_code']}, {c['main_code']})"
                for c in cells.iter_rows(named=True)
            )
            row: Row = {
                "financial_year": years[cy_py],
                "trust_name": organisation,
                "ods_code": code if re.fullmatch(r"[A-Z0-9]{3}", code) else "",
                "trust_sector": sector,
                "year_column": "current year" if cy_py == "CY" else "prior year",
            }
            for column in LINES.values():
                amount = values[column]["amount"] if column in values else None
                row[column] = "" if amount is None else number_text(amount)
            row["source_id"] = source_id
            row["locator"] = (
                f"sheet '{data_sheet}', {where}; "
                f"sector from sheet '{list_sheet}', row {provider['provider_row']}"
            )
            row["read_at"] = ""
            row["note"] = f"prior-year column of the {year} file" if cy_py == "PY" else ""
            rows.append(row)
    _progress(
        f"  {len(rows)} trust-years from {path.name} in {time.perf_counter() - started:.1f} s", progress
    )
    return Extract(TABLE, source_id, path, sha256_of(path), rows)
