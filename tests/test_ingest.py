"""`kfanalysis ingest`: official files read as published give exactly the committed rows.

The held-file tests (marked ``shared``) read the official files kept in
``../shared/sources`` and require the regenerated table to be the committed
file byte for byte: same values, periods, locators and order, and the same
SHA-256 already recorded for the edition. The TAC tests use small MADE-UP
workbooks (tests/tac_workbooks.py) written to temporary folders only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import REPO_ROOT
from tac_workbooks import (
    FOUNDATION_TRUSTS_2021_22,
    NEW_HEADER,
    NHS_TRUSTS_2021_22,
    MadeUpFile,
    MadeUpTrust,
    made_up_files,
)

from kfanalysis.cli import main
from kfanalysis.errors import KfError
from kfanalysis.ingest import extract, tac
from kfanalysis.ingest.apply import plan
from kfanalysis.loader import load
from kfanalysis.paths import project_paths
from kfanalysis.sources import read_sources

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"
HELD = {
    "deflator-march": ("hmt-deflator", "round2/gdp_deflator_qna_update_2022_2023_03.xlsx", ("gdp_deflator",)),
    "deflator-june": (
        "hmt-deflator",
        "round2/gdp_deflator_qna_update_2022_2023_06.xlsx",
        ("gdp_deflator_2023_06",),
    ),
    "asc-overview": ("asc-overview", "fig4/ASC_OVERVIEW_DATA_TABLES_TEMPLATE_21-22.xlsx", ("asc_activity",)),
    "nhs-workforce": (
        "nhs-workforce",
        "round4/nhs_workforce_statistics_hchs_headcount_by_staff_group_sep2009_jul2022.csv",
        ("doctors_workforce", "nurses_workforce"),
    ),
}


def _needs(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is not beside the checkout")


# ---- the official files we hold ---------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("case", list(HELD))
def test_ingesting_a_held_file_regenerates_the_committed_rows_exactly(case: str) -> None:
    reader, held, tables = HELD[case]
    _needs(SHARED / held)
    paths = project_paths(REPO_ROOT)
    extracts = extract(reader, SHARED / held, read_sources(paths))
    assert sorted(e.table for e in extracts) == sorted(tables)
    sources = read_sources(paths)
    for item in extracts:
        committed = load(item.table, REPO_ROOT).filter(pl.col("source_id") == item.source_id)
        assert len(item.rows) == committed.height > 0
        assert sources[item.source_id].file_sha256 == item.sha256  # the edition records this very file
    for planned in plan(paths, extracts):
        # values, periods, locators, order and the recorded SHA-256: nothing moves
        assert planned.new == planned.old, planned.path.name
        assert not (planned.changes.added or planned.changes.removed or planned.changes.changed)


@pytest.mark.shared
def test_a_changed_cell_in_a_held_workbook_shows_in_the_review_diff(tmp_path: Path) -> None:
    _, held, _ = HELD["asc-overview"]
    _needs(SHARED / held)
    copy = tmp_path / Path(held).name
    shutil.copy2(SHARED / held, copy)
    book = openpyxl.load_workbook(copy)
    book["Table 3"]["C6"] = 290840  # one rounding step away from the published 290,835
    book.save(copy)
    paths = project_paths(REPO_ROOT)
    planned = plan(paths, extract("asc-overview", copy, read_sources(paths)))
    table, toml = planned
    assert table.changes.changed == [
        "financial_year=2016/17, measure=long-term support during the year, aged 18-64, "
        "source_id=nhsd_asc_overview_2022: activity_count '290835' -> '290840'"
    ]
    assert [line.split(" = ")[0] for line in toml.changes.added] == ["file_sha256"]


@pytest.mark.shared
def test_ingest_writes_only_with_write_and_then_rehashes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, held, _ = HELD["nhs-workforce"]
    _needs(SHARED / held)
    csv_path = project / "data" / "raw" / "nurses_workforce.csv"
    text = csv_path.read_text(encoding="utf-8")
    csv_path.write_text(text.replace(",318104,", ",318105,"), encoding="utf-8")  # a mistyped value
    argv = ["--root", str(project), "ingest", "nhs-workforce", "--from", str(SHARED / held), "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "staff_number '318105' -> '318104'" in out and "nothing written" in out
    assert ",318105," in csv_path.read_text(encoding="utf-8")
    assert main([*argv, "--write"]) == 0
    assert csv_path.read_text(encoding="utf-8") == text
    assert main(["--root", str(project), "check"]) == 0  # checksums refreshed through the same path


def test_a_file_no_edition_names_is_refused_with_the_editions(tmp_path: Path) -> None:
    stray = tmp_path / "deflator.xlsx"
    openpyxl.Workbook().save(stray)
    with pytest.raises(KfError, match=r"(?s)deflator.xlsx.*expected the name of a file.*--edition"):
        extract("hmt-deflator", stray, read_sources(project_paths(REPO_ROOT)))


# ---- the trust accounts (made-up workbooks) -----------------------------------------------------


@pytest.fixture
def tac_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tac"
    folder.mkdir()
    for made_up in made_up_files():
        made_up.write(folder)
    return folder


def _rows(folder: Path, name: str, edition: str | None = None) -> list[dict[str, str]]:
    (item,) = extract("tac", folder / name, read_sources(project_paths(REPO_ROOT)), edition)
    return item.rows


def test_the_tac_reader_gives_one_row_per_trust_and_year_from_either_header_vintage(tac_folder: Path) -> None:
    rows = _rows(tac_folder, NHS_TRUSTS_2021_22)  # new header names, "All Data" sheet
    acute = next(
        r for r in rows if r["trust_name"].startswith("Made-up Acute") and r["financial_year"] == "2021/22"
    )
    assert acute["ods_code"] == "ZZ1" and acute["trust_sector"] == "Acute"
    assert acute["year_column"] == "current year"
    assert (acute["operating_expenditure_gbp_k"], acute["soci_operating_expenses_gbp_k"]) == (
        "520000",
        "-520000",
    )
    assert acute["operating_income_gbp_k"] == "530000"
    assert acute["source_id"] == "nhse_tac_nhs_trusts_2021_22"
    assert acute["locator"] == (
        "sheet 'All Data', row 2 (EXP0390, A08CY01); row 4 (SCI0125A, A02CY01); row 6 (INC1365, A07CY01); "
        "sector from sheet 'List of Providers', row 4"
    )
    prior = next(
        r for r in rows if r["trust_name"].startswith("Made-up Acute") and r["financial_year"] == "2020/21"
    )
    assert prior["year_column"] == "prior year" and prior["operating_expenditure_gbp_k"] == "500000"
    assert prior["note"] == "prior-year column of the 2021/22 file"
    assert len(rows) == 4  # two trusts, current and prior year


def test_names_are_matched_loosely_and_a_missing_code_stays_empty(tac_folder: Path) -> None:
    rows = _rows(tac_folder, FOUNDATION_TRUSTS_2021_22, "nhse_tac_foundation_trusts_2021_22")
    by_name = {r["trust_name"]: r for r in rows if r["financial_year"] == "2021/22"}
    mental = by_name["Made-up Mental Health & Care NHS Foundation Trust"]  # listed with "and" there
    assert mental["trust_sector"] == "Mental Health"
    assert by_name["Made-up Teaching Hospitals NHS Foundation Trust"]["ods_code"] == ""


def test_ingest_tac_builds_the_raw_table_and_figures_three_and_two(
    project: Path, tac_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--root", str(project), "ingest", "tac", "--no-progress", "--write"]
    # the folder holds a file whose address (so name) is not known: the folder run says what to do
    assert main([*base, "--from", str(tac_folder)]) == 1
    assert "--edition" in capsys.readouterr().err
    foundation = tac_folder / FOUNDATION_TRUSTS_2021_22
    elsewhere = project.parent / foundation.name
    foundation.rename(elsewhere)
    assert main([*base, "--from", str(tac_folder)]) == 0
    assert main([*base, "--from", str(elsewhere), "--edition", "nhse_tac_foundation_trusts_2021_22"]) == 0
    out = capsys.readouterr().out
    assert "trust_accounts.csv: 4 row(s) added" in out and "file_sha256" in out
    trusts = load("trust_accounts", project)
    assert trusts.height == 16  # four files x two trusts x current and prior year

    from kfanalysis.figures import fig2_spending, fig3_trust_growth

    fig3 = fig3_trust_growth.build(project)
    deflator_2016_17 = 89.2484  # data/raw/gdp_deflator.csv, 2021/22 = 100
    expected = {  # worked by hand from the made-up values in tests/tac_workbooks.py
        ("Acute", "operating expenditure (EXP0390)"): 25.5,
        ("Community", "operating expenditure (EXP0390)"): 13.0,
        ("Mental Health", "operating expenditure (EXP0390)"): 15.0,
        ("Acute", "operating income (INC1365)"): 100 * (1_270_000 / 1_030_000 - 1),
        ("Community", "operating income (INC1365)"): 20.0,
    }
    for (sector, measure), cash in expected.items():
        assert fig3_trust_growth.growth(fig3, sector, measure, "cash") == pytest.approx(cash)
        real = 100 * ((1 + cash / 100) * deflator_2016_17 / 100 - 1)
        assert fig3_trust_growth.growth(fig3, sector, measure) == pytest.approx(real)
    acute = fig3.filter(
        (pl.col("trust_sector") == "Acute") & (pl.col("trust_measure") == "operating expenditure (EXP0390)")
    ).row(0, named=True)
    assert (acute["from_gbp_m"], acute["to_gbp_m"], acute["from_trusts_count"]) == (1000.0, 1255.0, 2)
    assert "2016/17 from the prior year column of the 2017/18 files" in acute["what_is_counted"]
    assert fig3_trust_growth.growth(fig3, "Ambulance") is None  # no ambulance trust: a gap, not zero
    claims = fig3_trust_growth.claims(fig3)
    assert claims["fig3_acute_trust_growth_2016_17_2021_22"].value == pytest.approx(  # type: ignore[union-attr]
        100 * (1.255 * deflator_2016_17 / 100 - 1)
    )

    assert "Acute 12.0%; Specialist" not in fig3_trust_growth.alt_text(fig3)  # no specialist trust: no bar
    assert "Acute 12.0%; Mental Health 2.6%; Community 0.9%" in fig3_trust_growth.alt_text(fig3)
    fig3_trust_growth.plot(fig3)

    fig2 = fig2_spending.build(project)
    assert fig2_spending.value(fig2, "2021/22", "acute trusts") == pytest.approx(1.255)
    assert fig2_spending.value(fig2, "2021/22", "community trusts") == pytest.approx(0.113)
    assert fig2_spending.value(fig2, "2021/22", "mental health trusts") == pytest.approx(0.23)
    assert fig2_spending.claims(fig2)["fig2_acute_spend_2021_22"].value == pytest.approx(1.255)  # type: ignore[union-attr]
    assert "acute trusts £1.3bn" in fig2_spending.alt_text(fig2)
    assert "not shown because" not in fig2_spending.alt_text(fig2)
    fig2_spending.plot(fig2)

    # the whole temporary project builds from it: the figures' tables and the ledger
    assert main(["--root", str(project), "build"]) == 0
    processed = project / "data" / "processed"
    built = pl.read_csv(processed / "fig3_trust_growth.csv", infer_schema_length=0)
    assert built.filter(pl.col("trust_sector") == "Acute")["growth_pct"].cast(pl.Float64).to_list()[0] == (
        pytest.approx(25.5)  # expenditure, cash: the first row of the type
    )
    ledger = pl.read_csv(processed / "ledger.csv", infer_schema_length=0)
    row = ledger.filter(pl.col("claim_id") == "fig3_acute_trust_growth_2016_17_2021_22").row(0, named=True)
    assert row["status"] == "differs" and float(row["ours_value"]) == pytest.approx(12.006742, abs=1e-5)
    assert "operating income (INC1365), cash: 23.3%" in row["reason"]
    acute_bar = ledger.filter(pl.col("claim_id") == "fig2_acute_spend_2021_22").row(0, named=True)
    assert float(acute_bar["ours_value"]) == pytest.approx(1.255)


def _one(folder: Path, made_up: MadeUpFile) -> Path:
    return made_up.write(folder)


def test_a_renamed_column_fails_naming_what_was_expected_and_found(tmp_path: Path) -> None:
    header = (*NEW_HEADER[:-1], "Amount (£000)")
    path = _one(tmp_path, MadeUpFile(NHS_TRUSTS_2021_22, made_up_files()[2].trusts, header=header))
    with pytest.raises(KfError) as caught:
        tac.read(path, "nhse_tac_nhs_trusts_2021_22")
    message = str(caught.value)
    assert path.name in message and "'valuenumber' or 'total'" in message and "'Amount (£000)'" in message


def test_a_missing_list_of_providers_fails_listing_the_sheets(tmp_path: Path) -> None:
    path = _one(tmp_path, MadeUpFile(NHS_TRUSTS_2021_22, made_up_files()[2].trusts, with_provider_list=False))
    with pytest.raises(
        KfError, match=r"one sheet named 'List of Providers'.*found sheets 'Intro', 'All data'"
    ):
        tac.read(path, "nhse_tac_nhs_trusts_2021_22")


def test_a_trust_with_no_sector_fails_naming_the_trust_and_row(tmp_path: Path) -> None:
    trusts = made_up_files()[2].trusts
    blank = MadeUpTrust("Made-up Sectorless NHS Trust", None, "ZZ9", {("EXP0390", "CY"): 1.0})
    path = _one(tmp_path, MadeUpFile(NHS_TRUSTS_2021_22, [*trusts, blank]))
    with pytest.raises(KfError, match=r"row 6, a Sector that is one of .*; found an empty Sector"):
        tac.read(path, "nhse_tac_nhs_trusts_2021_22")
    unlisted = MadeUpTrust(
        "Made-up Unlisted NHS Trust", "Acute", "ZZ8", {("EXP0390", "CY"): 1.0}, listed_as="Other"
    )
    path = _one(tmp_path, MadeUpFile(NHS_TRUSTS_2021_22, [*trusts, unlisted]))
    with pytest.raises(KfError, match=r"trust 'Made-up Unlisted NHS Trust'.*no provider of that name"):
        tac.read(path, "nhse_tac_nhs_trusts_2021_22")


def test_the_committed_project_has_no_trust_rows_and_says_which_files_are_needed() -> None:
    from kfanalysis.figures import fig3_trust_growth

    assert load("trust_accounts", REPO_ROOT).height == 0
    missing = fig3_trust_growth.claims(fig3_trust_growth.build(REPO_ROOT))
    for result in missing.values():
        why = result.why  # type: ignore[union-attr]
        assert "kfanalysis ingest tac --from FOLDER --write" in why and "kfanalysis build" in why
        assert "nhs-providers-tac-data-publications" in why
        assert "nhse_tac_nhs_trusts_2017_18" in why and "nhse_tac_foundation_trusts_2021_22" in why


def test_a_file_named_for_another_year_than_its_edition_is_refused(tac_folder: Path) -> None:
    from tac_workbooks import NHS_TRUSTS_2017_18

    with pytest.raises(KfError, match=r"expected a file for 2021/22.*found a file name for 2017/18"):
        _rows(tac_folder, NHS_TRUSTS_2017_18, "nhse_tac_nhs_trusts_2021_22")
