"""The official-file readers and the audit of our extracts against the official files.

Readers are tested twice: on small workbooks and CSVs written here, laid out
differently from the real files (so a reader that counted rows or columns
would fail), and on the real files in ../shared/sources when that folder is
beside the checkout.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import openpyxl
import polars as pl
import pytest
from conftest import REAL_RAW, REPO_ROOT

from kfanalysis.audit import CHECKS, audit, within_shown_precision
from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.official import (
    ASC_REAL_TERMS_ROW,
    read_asc_overview_row,
    read_hmt_deflator,
    read_ons_financial_year_means,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"
HMT_FILE = SHARED / "round2" / "gdp_deflator_qna_update_2022_2023_03.xlsx"
QNA_FILE = SHARED / "round2" / "ons_qna_dataset_2023-03-31.csv"
ASC_FILE = SHARED / "fig4" / "ASC_OVERVIEW_DATA_TABLES_TEMPLATE_21-22.xlsx"
OFFICIAL_FILES = (HMT_FILE, QNA_FILE, ASC_FILE)
F = TypeVar("F")

_skip_without_shared = pytest.mark.skipif(
    not all(p.is_file() for p in OFFICIAL_FILES), reason=f"the official files are not in {SHARED}"
)


def needs_shared(test: F) -> F:
    """Mark a test that reads the official files in ../shared/sources; skip it where they are absent."""
    return pytest.mark.shared(_skip_without_shared(test))  # type: ignore[no-any-return]


def _year_value(frame: pl.DataFrame, year: str, column: str) -> object:
    values = frame.filter(pl.col("financial_year") == year)[column]
    assert values.len() == 1, f"expected one row for {year}"
    return values[0]


# ---- readers on small files laid out differently from the real ones --------------------------


def _deflator_workbook(
    path: Path, base: str = "2021-22 = 100", sheet: str = "30062099 Deflator Update"
) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "a sheet before the table"
    ws = book.create_sheet(sheet)
    # Header three rows lower and two columns further right than in HM Treasury's file,
    # with a calendar-year block to the right as in the real file.
    ws["D8"] = "Financial year"
    ws["D10"], ws["E10"], ws["F10"], ws["H10"] = (
        "Financial year",
        base,
        "per cent change on previous year",
        "Calendar year",
    )
    rows = [
        ("2019-20", 94.7596, 2.6006494315038293),
        ("2020-21", 100.6972, 6.2659614434843425),
        ("2021-22", 100, -0.6923727769987598),
        ("2022-23 (1), (2)", "-", 5.683492112408195),
    ]
    for offset, (year, index, change) in enumerate(rows, start=11):
        ws.cell(offset, 4, year)
        ws.cell(offset, 5, index)
        ws.cell(offset, 6, change)
        ws.cell(offset, 8, 2000 + offset)
    ws.cell(16, 4, "Sources and footnotes:")
    ws.cell(17, 4, "2030-31 after the footnotes is not part of the table")
    book.save(path)
    return path


def test_hmt_reader_finds_sheet_header_and_columns_by_their_text(tmp_path: Path) -> None:
    table = read_hmt_deflator(_deflator_workbook(tmp_path / "deflator.xlsx"))
    assert table.schema == pl.Schema(
        {"financial_year": pl.String, "gdp_deflator_index": pl.Float64, "gdp_deflator_change_pct": pl.Float64}
    )
    assert table["financial_year"].to_list() == ["2019/20", "2020/21", "2021/22", "2022/23"]
    assert _year_value(table, "2019/20", "gdp_deflator_index") == 94.7596
    assert _year_value(table, "2021/22", "gdp_deflator_index") == 100.0
    # a forecast year shows "-" for the index: no value, as in our extract
    assert _year_value(table, "2022/23", "gdp_deflator_index") is None
    assert _year_value(table, "2022/23", "gdp_deflator_change_pct") == 5.683492112408195


def test_hmt_reader_rejects_another_base_year(tmp_path: Path) -> None:
    path = _deflator_workbook(tmp_path / "deflator.xlsx", base="2022-23 = 100")
    with pytest.raises(KfError, match=r"based on 2022-23 = 100, not 2021/22"):
        read_hmt_deflator(path)
    assert read_hmt_deflator(path, base="2022/23").height == 4


def test_hmt_reader_names_the_sheets_when_none_matches(tmp_path: Path) -> None:
    path = _deflator_workbook(tmp_path / "deflator.xlsx", sheet="Table 1")
    with pytest.raises(
        KfError, match=r"no sheet matching 'deflator update'; sheets are: Notes, Table 1"
    ) as exc:
        read_hmt_deflator(path)
    assert str(path) in str(exc.value) and "Fix:" in str(exc.value)


def test_hmt_reader_says_when_the_header_is_missing(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "31032023 deflator update"
    book.active["B7"] = "Financial year"
    book.save(tmp_path / "deflator.xlsx")
    with pytest.raises(KfError, match=r"no header row with 'YYYY-YY = 100'"):
        read_hmt_deflator(tmp_path / "deflator.xlsx")


def test_reader_says_when_the_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "deflator.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(KfError, match=r"cannot be opened as an Excel workbook"):
        read_hmt_deflator(path)


def _asc_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    ws = book.create_sheet("Table 5")
    ws["A1"] = "Table 5: Local authority expenditure on adult social care"
    ws.append([])
    ws.append(["Measure", "2018-19", "2019-20", "2020-21"])
    ws.append(["Adult population", 44022560, 44263390, 44456850])
    ws.append([ASC_REAL_TERMS_ROW, 20.46, None, 21.24])
    book.save(path)
    return path


def test_asc_reader_takes_the_row_by_its_label(tmp_path: Path) -> None:
    table = read_asc_overview_row(_asc_workbook(tmp_path / "asc.xlsx"))
    assert table.schema == pl.Schema({"financial_year": pl.String, "value": pl.Float64})
    # a year the table leaves blank is not returned, so the audit reports it as not in the file
    assert table.rows() == [("2018/19", 20.46), ("2020/21", 21.24)]
    assert read_asc_overview_row(tmp_path / "asc.xlsx", row_label="Adult population")["value"][0] == 44022560


def test_asc_reader_names_a_missing_row(tmp_path: Path) -> None:
    with pytest.raises(KfError, match=r"no row labelled 'Gross current expenditure: cash'"):
        read_asc_overview_row(
            _asc_workbook(tmp_path / "asc.xlsx"), row_label="Gross current expenditure: cash"
        )


def _qna_csv(path: Path, series: tuple[str, ...] = ("ABMI", "L8GG")) -> Path:
    rows = [
        ["Title", "GDP", "Implied deflator"],
        ["CDID", *series],
        ["Release Date", "31-03-2023", "31-03-2023"],
        ["2015", "1", "87.5"],
        ["2015 Q1", "1", "86.9"],
        ["2015 Q2", "1", "87.2"],
        ["2015 Q3", "1", "87.3"],
        ["2015 Q4", "1", "87.4"],
        ["2016 Q1", "1", "87.5"],
        ["2016 Q2", "1", "88.1"],
        ["2016 JAN", "1", "99.9"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_ons_reader_averages_q2_to_q1_for_complete_years_only(tmp_path: Path) -> None:
    table = read_ons_financial_year_means(_qna_csv(tmp_path / "qna.csv"))
    # 2015/16 = (87.2 + 87.3 + 87.4 + 87.5) / 4 = 349.4 / 4 = 87.35; 2014/15 and 2016/17 lack quarters
    assert table.rows() == [("2015/16", 87.35)]


def test_ons_reader_needs_the_series_once(tmp_path: Path) -> None:
    with pytest.raises(KfError, match=r"series L8GG appears 0 times"):
        read_ons_financial_year_means(_qna_csv(tmp_path / "qna.csv", series=("ABMI", "YBGB")))
    with pytest.raises(KfError, match=r"series L8GG appears 2 times"):
        read_ons_financial_year_means(_qna_csv(tmp_path / "qna.csv", series=("L8GG", "L8GG")))


@pytest.mark.parametrize(
    ("ours", "official", "agrees"),
    [
        ("84.0695", 84.06945, True),  # exactly half a unit of the 4th decimal: rounds to ours
        ("84.0695", 84.06944, False),
        ("100", 100.4, True),  # no decimals shown: half a unit is 0.5
        ("100", 100.6, False),
        ("19.65", 19.655, True),
        ("19.65", 19.66, False),
        ("2.7575019120635846", 2.7575019120635846, True),
        ("-0.6923727769987598", 0.6923727769987598, False),
    ],
)
def test_tolerance_is_half_a_unit_of_the_last_digit_shown(ours: str, official: float, agrees: bool) -> None:
    assert within_shown_precision(ours, official) is agrees


# ---- readers on the real files ------------------------------------------------------------------


@needs_shared
def test_hmt_reader_on_the_official_workbook() -> None:
    table = read_hmt_deflator(HMT_FILE)
    assert table["financial_year"][0] == "1955/56" and table["financial_year"][-1] == "2027/28"
    assert table.height == 2027 - 1955 + 1
    assert _year_value(table, "2015/16", "gdp_deflator_index") == 87.453
    assert _year_value(table, "2021/22", "gdp_deflator_index") == 100.0
    assert _year_value(table, "2027/28", "gdp_deflator_index") is None
    assert _year_value(table, "2022/23", "gdp_deflator_change_pct") == 5.683492112408195


@needs_shared
def test_ons_reader_on_the_official_csv() -> None:
    table = read_ons_financial_year_means(QNA_FILE)
    assert table["financial_year"].is_unique().all()
    # the mean lands exactly on half a unit of HM Treasury's 4th decimal (84.0695)
    assert repr(_year_value(table, "2012/13", "value")) == "84.06945"
    assert _year_value(table, "2021/22", "value") == 100.0


@needs_shared
def test_asc_reader_on_the_official_workbook() -> None:
    table = read_asc_overview_row(ASC_FILE)
    assert table["financial_year"].to_list() == [f"{y}/{(y + 1) % 100:02d}" for y in range(2005, 2021)]
    assert _year_value(table, "2014/15", "value") == 19.86
    assert _year_value(table, "2020/21", "value") == 21.24


# ---- the audit ----------------------------------------------------------------------------------


def _expected_rows() -> int:
    """How many values the audit must compare, counted from our extracts."""
    deflator = pl.read_csv(REAL_RAW / "gdp_deflator.csv", infer_schema=False)
    hmt = deflator.filter(pl.col("source_id") == "hmt_gdp_deflator_2023_03_qna")
    asc = pl.read_csv(REAL_RAW / "asc_expenditure.csv", infer_schema=False).filter(
        (pl.col("source_id") == "nhsd_asc_overview_2022")
        & (pl.col("price_basis") == "real terms, 2020/21 prices, NHS Digital")
    )
    # every age-band count Figure 4 takes from the Overview's Tables 1 and 3
    bands = pl.read_csv(REAL_RAW / "asc_activity.csv", infer_schema=False).filter(
        pl.col("source_id") == "nhsd_asc_overview_2022"
    )
    index = hmt["gdp_deflator_index"].is_not_null().sum()
    return 2 * index + hmt["gdp_deflator_change_pct"].is_not_null().sum() + asc.height + bands.height


@needs_shared
def test_every_audited_value_agrees_with_the_official_files(capsys: pytest.CaptureFixture[str]) -> None:
    result = audit(from_dir=SHARED, root=REPO_ROOT)
    assert result.height == _expected_rows()
    assert result.filter(pl.col("status") != "agree").height == 0, result.filter(pl.col("status") != "agree")
    covered = set(result.select("source_id", "table", "column").unique().iter_rows())
    assert covered == {(c.source_id, c.table, c.column) for c in CHECKS}
    out = capsys.readouterr().out
    assert out.count("SHA-256 matches sources.toml") == 3
    assert f"{result.height} values: {result.height} agree, 0 disagree" in out


def _copy_official_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    copies = {}
    for path in OFFICIAL_FILES:
        (folder / path.parent.name).mkdir(exist_ok=True)
        copies[path.name] = Path(shutil.copy2(path, folder / path.parent.name / path.name))
    return copies


def _set_cell(path: Path, sheet_pattern: str, row_label: str, column_header: str, value: float) -> None:
    """Change one value of a copied workbook, found by its row and column labels."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = next(ws for ws in book.worksheets if sheet_pattern in ws.title.lower())
    cells = list(sheet.iter_rows())
    column = next(c.column for row in cells for c in row if str(c.value).strip() == column_header)
    row = next(r for r in cells if any(str(c.value).strip() == row_label for c in r))
    sheet.cell(row[0].row, column, value)
    book.save(path)


def _set_cell_in_place(path: Path, row_label: str, column_header: str, value: str) -> None:
    """Change one number in a one-sheet workbook's XML, leaving every other byte as it was.

    Re-saving with openpyxl would rewrite every long float to fewer digits, which would
    change other values too; this keeps the doctoring to the one cell.
    """
    book = openpyxl.load_workbook(path, read_only=True)
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if hasattr(c, "column_letter")]
    column = next(c.column_letter for c in cells if str(c.value).strip() == column_header)
    row = next(c.row for c in cells if str(c.value).strip() == row_label)
    book.close()
    with zipfile.ZipFile(path) as old:
        members = {info: old.read(info) for info in old.infolist()}
    sheets = [info for info in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename)]
    assert len(sheets) == 1
    xml = members[sheets[0]].decode("utf-8")
    pattern = rf'(<c r="{column}{row}"[^>]*><v>)[^<]*(</v>)'
    xml, count = re.subn(pattern, rf"\g<1>{value}\g<2>", xml)
    assert count == 1
    members[sheets[0]] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members.items():
            new.writestr(info, data)


def _doctor_hmt(copies: dict[str, Path]) -> tuple[str, str, str]:
    _set_cell_in_place(copies[HMT_FILE.name], "2015-16", "2021-22 = 100", "87.463")
    return "hmt_gdp_deflator_2023_03_qna", "2015/16", "gdp_deflator_index"


def _doctor_asc(copies: dict[str, Path]) -> tuple[str, str, str]:
    _set_cell(copies[ASC_FILE.name], "table 5", ASC_REAL_TERMS_ROW, "2016-17", 19.95)
    return "nhsd_asc_overview_2022", "2016/17", "gross_current_expenditure_gbp_bn"


def _doctor_qna(copies: dict[str, Path]) -> tuple[str, str, str]:
    path = copies[QNA_FILE.name]
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    column = next(r for r in rows if r and r[0] == "CDID").index("L8GG")
    row = next(r for r in rows if r and r[0] == "2015 Q3")
    row[column] = str(Decimal(row[column]) + 1)  # moves the 2015/16 mean by 0.25
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return "ons_qna_2023_03_31", "2015/16", "gdp_deflator_index"


@needs_shared
@pytest.mark.parametrize("doctor", [_doctor_hmt, _doctor_asc, _doctor_qna], ids=["hmt", "asc", "ons"])
def test_a_doctored_copy_is_reported_as_disagreeing(
    doctor: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copies = _copy_official_files(tmp_path / "copies")
    source_id, year, column = doctor(copies)  # type: ignore[operator]
    result = audit(from_dir=tmp_path / "copies", root=REPO_ROOT)
    wrong = result.filter(pl.col("status") == "disagree")
    assert wrong.select("source_id", "financial_year", "column").rows() == [(source_id, year, column)]
    assert result.filter(pl.col("status") == "agree").height == result.height - 1
    out = capsys.readouterr().out
    assert "SHA-256 DIFFERS from sources.toml" in out
    assert f"DISAGREE gdp_deflator {year}" in out or f"DISAGREE asc_expenditure {year}" in out

    assert main(["--root", str(REPO_ROOT), "audit", "--from-dir", str(tmp_path / "copies")]) == 1
    err = capsys.readouterr().err
    assert "1 value(s) disagree with the official files" in err


@needs_shared
def test_the_copy_whose_hash_matches_is_preferred(tmp_path: Path) -> None:
    copies = _copy_official_files(tmp_path / "copies")
    spare = tmp_path / "copies" / "older" / HMT_FILE.name
    spare.parent.mkdir()
    shutil.copy2(copies[HMT_FILE.name], spare)
    _set_cell_in_place(spare, "2015-16", "2021-22 = 100", "87.463")
    assert audit(from_dir=tmp_path / "copies", root=REPO_ROOT, quiet=True)["status"].unique().to_list() == [
        "agree"
    ]

    # two candidates and neither is the registry's: the audit will not guess
    _set_cell_in_place(copies[HMT_FILE.name], "2016-17", "2021-22 = 100", "89.2")
    with pytest.raises(KfError, match=r"2 files could be its official file"):
        audit(from_dir=tmp_path / "copies", root=REPO_ROOT, quiet=True)


@needs_shared
def test_values_whose_file_is_absent_are_reported_not_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "only_asc").mkdir()
    shutil.copy2(ASC_FILE, tmp_path / "only_asc" / ASC_FILE.name)
    result = audit(from_dir=tmp_path / "only_asc", root=REPO_ROOT)
    by_source = dict(result.group_by("source_id").agg(pl.col("status").unique().sort()).iter_rows())
    assert by_source == {
        "hmt_gdp_deflator_2023_03_qna": ["no_file"],
        "ons_qna_2023_03_31": ["no_file"],
        "nhsd_asc_overview_2022": ["agree"],
    }
    out = capsys.readouterr().out
    assert "hmt_gdp_deflator_2023_03_qna: NO FILE" in out and "pass --from-dir" in out
    # nothing disagrees, so the command succeeds; the gap is in the report, not hidden
    assert main(["--root", str(REPO_ROOT), "audit", "--from-dir", str(tmp_path / "only_asc")]) == 0


def test_audit_with_no_official_file_at_all_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        KfError, match=r"(?s)none of the official files is under .*run `kfanalysis fetch` first"
    ):
        audit(from_dir=tmp_path / "empty", root=REPO_ROOT)
    assert main(["--root", str(REPO_ROOT), "audit", "--cache-dir", str(tmp_path / "no-cache")]) == 1
    assert "kfanalysis audit: none of the official files" in capsys.readouterr().err
    assert main(["--root", str(REPO_ROOT), "audit", "--from-dir", str(tmp_path / "missing")]) == 1
    assert "is not a folder" in capsys.readouterr().err
