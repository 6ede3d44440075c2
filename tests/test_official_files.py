"""Every value data/raw cites from an official file we hold is read back from that file.

The research folder ``../shared/sources`` keeps copies of the official files our
extracts were read from. These tests open each file with a plain reader
(openpyxl for .xlsx, xlrd for .xls, the csv module) and follow each raw row's
``locator`` to the cell it names: the sheet and cell address, or the row and
column labels. The cell must hold the raw row's value (integers exactly;
decimals within half a unit of the last digit the raw row shows), and the row
and column labels next to it must be the ones the locator and the row's key
name, so a value moved to the wrong year or row is caught as well as a
mistyped one. The package's own readers (``kfanalysis.official``, used by
``kfanalysis audit``) find their cells by label instead; these tests do not
use them, so the two checks are independent.

A row is tied to a held file by its source's ``file_name`` in sources.toml, or
by the copy its ``read_at`` names. Every such row must be checked here, and
every data file in the folder must be listed below with what cites it, so a
new extract or a new official file cannot slip past unchecked.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from conftest import RAW_TABLES, REAL_RAW, REPO_ROOT
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from shared_required import ENV

from kfanalysis.audit import within_shown_precision
from kfanalysis.paths import project_paths
from kfanalysis.sources import read_sources

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"

#: Tests that open the held files; they skip where the folder is absent (see tests/shared_required.py).
shared = pytest.mark.shared


@dataclass(frozen=True)
class Held:
    """One data file in the research folder, and how our extracts cite it.

    Attributes:
        path: The file, relative to the research folder.
        copies: Text a raw row's ``read_at`` holds when the value was read from the copy this
            file was taken from (repository and path, as in the folder's PROVENANCE.md).
        why_uncited: For a file no raw row cites: why not.
    """

    path: str
    copies: tuple[str, ...] = ()
    why_uncited: str = ""


HELD = (
    Held(
        "fig4/ASC_OVERVIEW_DATA_TABLES_TEMPLATE_21-22.xlsx",
        ("NHSDigital/ASC-Overview, ASC_OVERVIEW_DATA_TABLES_TEMPLATE_21-22.xlsx",),
    ),
    Held(
        "round2/gdp_deflator_qna_update_2022_2023_03.xlsx",
        ("miscellane/extra, data/deflator/gdp_deflator_qna_update_2022_2023_03.xlsx",),
    ),
    Held(
        "round2/gdp_deflator_qna_update_2022_2023_06.xlsx",
        ("miscellane/extra, data/deflator/gdp_deflator_qna_update_2022_2023_06.xlsx",),
    ),
    Held(
        "round2/ons_qna_dataset_2023-03-31.csv",
        ("miscellane/extra, data/qna.csv",),
        why_uncited="ONS L8GG, used only to check the deflator (kfanalysis audit, tests/test_prices.py)",
    ),
    Held(
        "round3/NHS_provider_TAC_illustrative_file_2021-22.xlsx",
        why_uncited="NHS England's TAC template: line codes, no values",
    ),
    Held(
        "round4/nhs_workforce_statistics_hchs_headcount_by_staff_group_sep2009_jul2022.csv",
        ("iris-mingyudai/am10_group_13, data/vacancy/workforce_headcount.csv",),
    ),
    Held(
        "round4/ethnicity_facts_figures_nhs_workforce_june2022_extract.xls",
        ("ugochukwu99/NHS-Workforce-Data-Analysis-Using-SQL",),
        why_uncited="the same headcounts as the round4 CSV; used here to cross-check the consultant rows",
    ),
    Held(
        "round4/nhs-vac-stats-apr15-mar22-eng-tables.xlsx",
        ("iris-mingyudai/am10_group_13, data/vacancy/Data for map",),
        why_uncited="NHS trust vacancies; the report's Figure 7 is about social care vacancies",
    ),
    Held(
        "round5_misc/appointments_gp_coverage_aug2020_jan2023.csv",
        ("APPOINTMENTS_GP_COVERAGE",),
        why_uncited="GP practice coverage by month; no extract cites it yet",
    ),
    Held(
        "round5_misc/appointments_gp_coverage_feb2023_jul2025.csv",
        ("APPOINTMENTS_GP_COVERAGE",),
        why_uncited="GP practice coverage by month, later edition; no extract cites it yet",
    ),
)

#: The value columns of each raw table, in the order a locator naming several columns lists them.
VALUE_COLUMNS = {
    "asc_activity": ("activity_count",),
    "asc_expenditure": ("gross_current_expenditure_gbp_bn",),
    "gdp_deflator": ("gdp_deflator_index", "gdp_deflator_change_pct"),
    "gdp_deflator_2023_06": ("gdp_deflator_index", "gdp_deflator_change_pct"),
    "doctors_workforce": ("staff_number",),
    "nurses_workforce": ("staff_number",),
}

# "sheet 'Table 1', row 9 'Number of new requests ...', cell B9"
_CELL = re.compile(
    r"sheet '(?P<sheet>[^']+)', row (?P<row>\d+) '(?P<label>[^']+)', cell (?P<cell>[A-Z]{1,3}\d+)"
)
# "sheet '31032023 deflator update', row 58 ('2005-06'), columns '2021-22 = 100' and 'per cent ...'"
_ROW_COLUMNS = re.compile(
    r"sheet '(?P<sheet>[^']+)', row (?P<row>\d+) \('(?P<label>[^']+)'\), "
    r"columns? '(?P<first>[^']+)'(?: and '(?P<second>[^']+)')?"
)
# "sheet '30062023 deflator update', row 58 ('2005-06'), cells C58 ('2022-23 = 100') and D58 ('per cent ...')"
_ROW_CELLS = re.compile(
    r"sheet '(?P<sheet>[^']+)', row (?P<row>\d+) \('(?P<label>[^']+)'\), "
    r"cells? (?P<first>[A-Z]{1,3}\d+) \('(?P<first_header>[^']+)'\)"
    r"(?: and (?P<second>[A-Z]{1,3}\d+) \('(?P<second_header>[^']+)'\))?"
)
# "monthly headcount by staff group and grade, row 'Consultant', column 01/09/16"
_CSV_CELL = re.compile(r"row '(?P<row>[^']+)'(?: \([^)]*\))?, column (?P<column>\d\d/\d\d/\d\d)\b")
_YEAR = re.compile(r"^(\d{4})-(\d{2})\b")  # footnote marks may follow: "2022-23 (1), (2)"


@dataclass(frozen=True)
class Cited:
    """One value of one raw row, with the held file it cites."""

    table: str
    line: int  # line of the raw CSV, header = 1
    column: str
    ours: str | None
    row: dict[str, Any]
    held: Held

    def name(self) -> str:
        return f"data/raw/{self.table}.csv line {self.line}, {self.column}"


def _raw(table: str) -> pl.DataFrame:
    return pl.read_csv(REAL_RAW / f"{table}.csv", infer_schema=False)


def _held_for(row: dict[str, Any], file_names: dict[str, list[str]]) -> Held | None:
    """The held file a raw row cites, by its source's file name or the copy its read_at names."""
    names = file_names.get(row.get("source_id") or "", [])
    read_at = row.get("read_at") or ""
    for held in HELD:
        if Path(held.path).name in names or any(copy in read_at for copy in held.copies):
            return held
    return None


def cited_values() -> list[Cited]:
    """Every raw value whose row cites a held file (one entry per value column)."""
    file_names = {sid: s.file_names() for sid, s in read_sources(project_paths(REPO_ROOT)).items()}
    cited = []
    for table in RAW_TABLES:
        frame = _raw(table)
        if "source_id" not in frame.columns:
            continue
        for number, row in enumerate(frame.iter_rows(named=True), start=2):
            held = _held_for(row, file_names)
            if held is None:
                continue
            for column in VALUE_COLUMNS.get(table, ("?",)):
                cited.append(Cited(table, number, column, row.get(column), row, held))
    return cited


# ---- plain readers ------------------------------------------------------------------------------


@functools.cache
def _workbook(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


@functools.cache
def _csv_table(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """The header row and the rows by their first cell, of a CSV laid out like the round4 extract."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r]
    return rows[0], {r[0].strip(): r for r in rows[1:] if r[0].strip()}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _fy(label: str) -> str:
    """'2016-17' -> '2016/17', as our extracts write financial years."""
    match = _YEAR.match(label.strip())
    return f"{match.group(1)}/{match.group(2)}" if match else label


def _agrees(ours: str | None, official: object) -> str:
    """'' if the official value is ours within what ours shows, else what is wrong."""
    if ours is None or ours == "":
        if isinstance(official, int | float):
            return f"our row is empty but the file holds {official!r}"
        return ""
    if not isinstance(official, int | float) or isinstance(official, bool):
        return f"the file holds {official!r}, not a number"
    if "." not in ours:  # a count or a whole-number value: exactly
        return "" if float(official) == int(ours) else f"ours {ours}, the file's {official!r}"
    return "" if within_shown_precision(ours, float(official)) else f"ours {ours}, the file's {official!r}"


def _year_header(sheet: Any, column: int, below: int) -> str:
    """The financial-year label above a cell: the nearest cell above it that reads like '2016-17'."""
    for row in range(below - 1, 0, -1):
        label = _text(sheet.cell(row, column).value)
        if _YEAR.match(label):
            return _fy(label)
    return ""


def check(value: Cited, shared: Path) -> str:
    """Follow one value's locator into its held file: '' if it agrees, else what is wrong."""
    path = shared / value.held.path
    locator = value.row.get("locator") or ""
    if (found := _CELL.search(locator)) is not None:
        sheet = _workbook(path)[found["sheet"]]
        letter, row = coordinate_from_string(found["cell"])
        if row != int(found["row"]):
            return f"locator names row {found['row']} but cell {found['cell']}"
        if _text(sheet.cell(row, 1).value) != found["label"]:
            return (
                f"row {row} of {found['sheet']!r} is {_text(sheet.cell(row, 1).value)!r}, not the label cited"
            )
        column = column_index_from_string(letter)
        year = _year_header(sheet, column, row)
        if year != value.row.get("financial_year"):
            return f"cell {found['cell']} is under {year!r}, not {value.row.get('financial_year')!r}"
        return _agrees(value.ours, sheet.cell(row, column).value)
    if (found := _ROW_COLUMNS.search(locator)) is not None:
        sheet = _workbook(path)[found["sheet"]]
        row = int(found["row"])
        headers = [h for h in (found["first"], found["second"]) if h]
        position = VALUE_COLUMNS[value.table].index(value.column)
        if position >= len(headers):
            return f"the locator names {len(headers)} column(s); {value.column} is not among them"
        columns = [
            c.column
            for line in sheet.iter_rows(max_row=row - 1)
            for c in line
            if _text(c.value) == headers[position]
        ]
        if not columns:
            return f"no column headed {headers[position]!r} above row {row}"
        cells = [_text(c.value) for c in sheet[row]]
        if found["label"] not in cells or _fy(found["label"]) != value.row.get("financial_year"):
            year = value.row.get("financial_year")
            return f"row {row} of {found['sheet']!r} is not {found['label']!r} for {year}"
        return _agrees(value.ours, sheet.cell(row, columns[0]).value)
    if (found := _ROW_CELLS.search(locator)) is not None:
        sheet = _workbook(path)[found["sheet"]]
        row = int(found["row"])
        named = [(found["first"], found["first_header"]), (found["second"], found["second_header"])]
        cells = [(cell, header) for cell, header in named if cell]
        position = VALUE_COLUMNS[value.table].index(value.column)
        if position >= len(cells):
            return f"the locator names {len(cells)} cell(s); {value.column} is not among them"
        cell, header = cells[position]
        letter, cell_row = coordinate_from_string(cell)
        if cell_row != row:
            return f"locator names row {row} but cell {cell}"
        column = column_index_from_string(letter)
        if not any(_text(sheet.cell(r, column).value) == header for r in range(1, row)):
            return f"no heading {header!r} above {cell}"
        if found["label"] not in [_text(c.value) for c in sheet[row]] or _fy(found["label"]) != value.row.get(
            "financial_year"
        ):
            year = value.row.get("financial_year")
            return f"row {row} of {found['sheet']!r} is not {found['label']!r} for {year}"
        return _agrees(value.ours, sheet.cell(row, column).value)
    if (found := _CSV_CELL.search(locator)) is not None and path.suffix == ".csv":
        header, rows = _csv_table(path)
        if found["row"] not in rows or found["column"] not in header:
            return f"no row {found['row']!r} or no column {found['column']!r} in {path.name}"
        _, month, year = found["column"].split("/")
        snapshot = value.row.get("snapshot_date") or ""
        if snapshot[:7] != f"20{year}-{month}":
            return f"the locator's month {found['column']} is not the row's snapshot {snapshot}"
        cell = rows[found["row"]][header.index(found["column"])].replace(",", "")
        return _agrees(value.ours, int(cell) if cell.isdigit() else cell)
    return f"no reader here follows the locator {locator!r}: add one to tests/test_official_files.py"


def _needs(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is not beside the checkout")


# ---- tests --------------------------------------------------------------------------------------


@shared
def test_every_data_file_in_the_research_folder_is_listed() -> None:
    _needs(SHARED / HELD[0].path)
    data_files = {
        str(p.relative_to(SHARED))
        for p in SHARED.rglob("*")
        if p.suffix.lower() in {".xlsx", ".xls", ".csv"} and not p.name.startswith("dossier")
    }
    assert data_files == {h.path for h in HELD}, "list each new official file in HELD, with what cites it"


def test_every_row_citing_a_held_file_has_a_known_value_column() -> None:
    values = cited_values()
    assert {v.table for v in values} >= {
        "asc_activity",
        "asc_expenditure",
        "gdp_deflator",
        "doctors_workforce",
    }
    unknown = sorted({v.table for v in values if v.column == "?"})
    assert not unknown, f"tables citing an official file with no entry in VALUE_COLUMNS: {unknown}"
    cited = {v.held.path for v in values}
    for held in HELD:
        # a file said to be uncited must really be uncited, or its reason is out of date
        assert (held.path in cited) is (not held.why_uncited), held.path


@shared
@pytest.mark.parametrize("held", [h for h in HELD if not h.why_uncited], ids=lambda h: Path(h.path).name)
def test_every_cited_value_is_in_its_official_file(held: Held) -> None:
    _needs(SHARED / held.path)
    values = [v for v in cited_values() if v.held == held]
    assert values, f"no raw row cites {held.path}"
    wrong = [f"{v.name()}: {problem}" for v in values if (problem := check(v, SHARED))]
    assert not wrong, "\n".join(wrong)


@shared
def test_figure4_age_bands_are_the_workbook_cells_including_2016_17() -> None:
    """The exact 2016/17 counts of issue 17 rest on four cells; name them outright."""
    path = SHARED / HELD[0].path
    _needs(path)
    book = _workbook(path)
    assert (book["Table 1"]["C9"].value, book["Table 1"]["C10"].value) == (508620, 1305795)
    assert (book["Table 3"]["C6"].value, book["Table 3"]["C7"].value) == (290835, 577600)
    bands = _raw("asc_activity").filter(
        (pl.col("financial_year") == "2016/17")
        & pl.col("measure").str.contains("aged")
        & ~pl.col("measure").str.starts_with("short-term")
    )
    assert sorted(int(v) for v in bands["activity_count"]) == sorted([508620, 1305795, 290835, 577600])


@shared
def test_consultant_headcounts_match_the_ethnicity_facts_and_figures_file() -> None:
    """A second official copy of the same series (Cabinet Office) agrees with every month it holds."""
    xlrd = pytest.importorskip("xlrd")
    path = SHARED / "round4/ethnicity_facts_figures_nhs_workforce_june2022_extract.xls"
    _needs(path)
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    header = sheet.row_values(0)
    at = {name: header.index(name) for name in ("Time", "Ethnicity", "Grade", "Value")}
    official: dict[str, float] = {}
    for number in range(1, sheet.nrows):
        cells = sheet.row_values(number)
        if cells[at["Grade"]] == "Consultant" and cells[at["Ethnicity"]].startswith(
            "All - Including Unknown"
        ):
            when = xlrd.xldate.xldate_as_datetime(cells[at["Time"]], 0).date()
            official[f"{when:%Y-%m}"] = cells[at["Value"]]
    ours = _raw("doctors_workforce").filter(
        (pl.col("staff_group") == "HCHS consultants") & (pl.col("basis") == "headcount")
    )
    compared = 0
    for snapshot, staff in zip(ours["snapshot_date"], ours["staff_number"], strict=True):
        if snapshot[:7] in official:
            compared += 1
            assert official[snapshot[:7]] == int(staff), snapshot
    # every September row and March 2022; the file has no March 2017 (it is annual before 2020)
    assert compared == ours.height - 1


def _copy_shared(tmp_path: Path) -> Path:
    copy = tmp_path / "sources"
    for held in HELD:
        if not held.why_uncited:
            (copy / held.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(SHARED / held.path, copy / held.path)
    return copy


@shared
def test_a_changed_cell_is_caught_and_named(tmp_path: Path) -> None:
    _needs(SHARED / HELD[0].path)
    copy = _copy_shared(tmp_path)
    book = openpyxl.load_workbook(copy / HELD[0].path)
    book["Table 1"]["C9"] = 508625  # 2016/17 requests aged 18-64, moved by one rounding step
    book.save(copy / HELD[0].path)
    _workbook.cache_clear()
    try:
        wrong = [(v.row["financial_year"], v.row["measure"]) for v in cited_values() if check(v, copy)]
    finally:
        _workbook.cache_clear()
    assert wrong == [("2016/17", "requests for support from new clients, aged 18-64")]


@shared
def test_a_locator_pointing_at_another_year_or_row_is_caught() -> None:
    _needs(SHARED / HELD[0].path)
    _needs(SHARED / HELD[1].path)
    values = cited_values()
    band = next(
        v
        for v in values
        if v.table == "asc_activity"
        and v.row["financial_year"] == "2016/17"
        and "aged 18-64" in v.row["measure"]
    )
    assert check(band, SHARED) == ""
    next_year = dict(band.row, locator=band.row["locator"].replace("cell C9", "cell D9"))
    assert check(Cited(**{**band.__dict__, "row": next_year}), SHARED) == (
        "cell D9 is under '2017/18', not '2016/17'"
    )
    deflator = next(v for v in values if v.table == "gdp_deflator" and v.row["financial_year"] == "2015/16")
    assert check(deflator, SHARED) == ""
    wrong_row = re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) + 1}", deflator.row["locator"], count=1)
    assert "is not '2015-16' for 2015/16" in check(
        Cited(**{**deflator.__dict__, "row": dict(deflator.row, locator=wrong_row)}), SHARED
    )


@shared
def test_a_changed_headcount_in_the_csv_is_caught(tmp_path: Path) -> None:
    held = next(h for h in HELD if h.path.endswith(".csv") and "round4" in h.path)
    _needs(SHARED / held.path)
    copy = _copy_shared(tmp_path)
    target = copy / held.path
    text = target.read_text(encoding="utf-8")
    assert text.count('"46,955"') >= 1
    target.write_text(text.replace('"46,955"', '"46,956"'), encoding="utf-8")
    _csv_table.cache_clear()
    try:
        wrong = [v.row["snapshot_date"] for v in cited_values() if v.held == held and check(v, copy)]
    finally:
        _csv_table.cache_clear()
    assert wrong == ["2016-09-30"]


# ---- the KF_REQUIRE_SHARED switch ---------------------------------------------------------------


def _run_pytest(folder: Path, require: bool) -> subprocess.CompletedProcess[str]:
    # CI=true makes pytest print the short summary untruncated, repeating each message; leave it out
    # so the inner run's report reads the same on a workstation and in CI.
    env = {k: v for k, v in os.environ.items() if k not in (ENV, "CI", "BUILD_NUMBER")}
    if require:
        env[ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        check=False,
    )


@pytest.mark.parametrize("require", [False, True], ids=["default", "required"])
def test_a_skipped_shared_test_fails_only_when_shared_is_required(tmp_path: Path, require: bool) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    shared: reads ../shared\n", encoding="utf-8"
    )
    (tmp_path / "conftest.py").write_text("from shared_required import pytest_runtest_makereport\n", "utf-8")
    (tmp_path / "test_demo.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.shared\n"
        "@pytest.mark.skipif(True, reason='the folder is absent')\n"
        "def test_reads_shared():\n    pass\n\n"
        "@pytest.mark.shared\n"
        "def test_finds_a_file_missing():\n    pytest.skip('a file is absent')\n\n"
        "def test_other():\n    pytest.skip('not about shared')\n",
        encoding="utf-8",
    )
    result = _run_pytest(tmp_path, require)
    if require:
        # a skip at setup (a skipif mark) is reported as an error, one in the body as a failure;
        # either fails the run, keeps the reason and says why; the unrelated skip stays a skip
        assert result.returncode == 1, result.stdout
        assert "1 failed, 1 skipped, 1 error" in result.stdout, result.stdout
        for reason in ("the folder is absent", "a file is absent"):
            assert reason in result.stdout
        assert result.stdout.count(f"{ENV}=1, so a test that reads the official files") == 2
    else:
        assert result.returncode == 0, result.stdout
        assert "3 skipped" in result.stdout
