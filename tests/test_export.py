"""A built table for a briefing: labelled, rounded to published precision, in CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import REPO_ROOT

import kfanalysis
from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.outputs import read_table


def test_export_fig7_xlsx_reads_back_labelled_and_rounded(tmp_path: Path) -> None:
    assert main(["--root", str(REPO_ROOT), "export", "fig7_vacancies", "--xlsx", "--to", str(tmp_path)]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "fig7_vacancies.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert "Vacancy rate (%)" in header and "Unemployment rate (%)" in header
    assert "vacancy_rate_pct" not in header
    table = read_table("fig7_vacancies", REPO_ROOT)
    column = header.index("Vacancy rate (%)")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == table.height
    for cell, value in zip(cells, table["vacancy_rate_pct"].to_list(), strict=True):
        if value is None:
            assert cell.value is None
        else:
            assert cell.value == pytest.approx(round(value, 1)) and cell.number_format == "0.0"


def test_export_ledger_csv_rounds_each_row_to_its_published_precision(tmp_path: Path) -> None:
    (path,) = kfanalysis.export("ledger", tmp_path, formats=["csv"], root=REPO_ROOT)
    text = pl.read_csv(path, infer_schema=False)
    assert {"Ours", "Published", "Status"} <= set(text.columns)
    for ours, places in zip(text["Ours"], text["Decimals published"], strict=True):
        if ours is not None:
            decimals = len(ours.partition(".")[2])
            assert decimals == max(0, int(places)), (ours, places)


def test_export_refuses_a_raw_table(tmp_path: Path) -> None:
    with pytest.raises(KfError, match="not a built table"):
        kfanalysis.export("unemployment_rate", tmp_path, root=REPO_ROOT)
