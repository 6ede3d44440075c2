"""Every computed claim is checked against the raw cells it rests on, not against itself.

The pinned ledger (``expected_ledger.csv``) detects change, not error: it holds
whatever the code printed when it was pinned. The tests here catch the error.
For each claim computed from data/raw they (a) work the expected value out from
the cited raw cells with plain Python, without the package's helpers, and (b)
edit those raw cells in a copy of the project and assert the claim moves by an
amount worked out by hand. A claim that returned the published number as a
constant would fail both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import RawEditor, raw_path

import kfanalysis

MARCH_2023 = "hmt_gdp_deflator_2023_03_qna"


def _raw(root: Path, name: str) -> list[dict[str, str]]:
    with raw_path(root, name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ours(root: Path) -> dict[str, float | None]:
    return {r["claim_id"]: r["ours_value"] for r in kfanalysis.ledger(root=root).iter_rows(named=True)}


def _set(raw: RawEditor, name: str, match: dict[str, str], column: str, value: str) -> None:
    """Set one cell of the single raw row matching ``match``; fail if not exactly one row matches."""

    def change(rows: list[list[str]]) -> None:
        header = rows[0]
        hits = [r for r in rows[1:] if all(r[header.index(k)] == v for k, v in match.items())]
        assert len(hits) == 1, f"{name}: {len(hits)} rows match {match}"
        hits[0][header.index(column)] = value

    raw.edit(name, change)


def _cell(root: Path, name: str, column: str, **match: str) -> str:
    hits = [r for r in _raw(root, name) if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{name}: {len(hits)} rows match {match}"
    return hits[0][column]


def _cash_gce(root: Path, year: str) -> float:
    """Councils' gross current expenditure in cash for one year, as the raw row gives it (£bn)."""
    return float(
        _cell(
            root,
            "asc_expenditure",
            "gross_current_expenditure_gbp_bn",
            financial_year=year,
            price_basis="cash",
        )
    )


def _deflator(root: Path) -> dict[str, float]:
    """HM Treasury's March 2023 index by year, straight from the raw file (2021/22 = 100).

    Forecast years carry only the percentage change, so their index is chained by hand here.
    """
    rows = sorted(
        (r for r in _raw(root, "gdp_deflator") if r["source_id"] == MARCH_2023),
        key=lambda r: r["financial_year"],
    )
    index: dict[str, float] = {}
    previous = None
    for r in rows:
        if r["gdp_deflator_index"]:
            index[r["financial_year"]] = float(r["gdp_deflator_index"])
        else:
            assert previous is not None
            index[r["financial_year"]] = index[previous] * (1 + float(r["gdp_deflator_change_pct"]) / 100)
        previous = r["financial_year"]
    return index


@pytest.fixture(scope="module")
def committed() -> dict[str, float | None]:
    from conftest import REPO_ROOT

    return _ours(REPO_ROOT)


# ---- Figure 1 ----------------------------------------------------------------------------------

GP = {"setting": "general practice", "activity_measure": "appointments, reported"}


def test_fig1_gp_a_day_is_the_nao_total_over_the_days_of_the_year(project: Path, committed: dict) -> None:
    total_2022 = float(_cell(project, "nhs_activity", "activity_count", financial_year="2022/23", **GP))
    total_2018 = float(_cell(project, "nhs_activity", "activity_count", financial_year="2018/19", **GP))
    # 1 April 2022 to 31 March 2023 and 1 April 2018 to 31 March 2019: no 29 February, 365 days.
    assert committed["fig1_gp_appointments_per_day_2022_23"] == pytest.approx(total_2022 / 365)
    assert committed["fig1_gp_appointments_per_day_change_2018_19"] == pytest.approx(
        total_2022 / 365 - total_2018 / 365
    )


def test_fig1_gp_claims_move_with_the_nao_total(raw: RawEditor, project: Path, committed: dict) -> None:
    total = int(_cell(project, "nhs_activity", "activity_count", financial_year="2022/23", **GP))
    _set(raw, "nhs_activity", {"financial_year": "2022/23", **GP}, "activity_count", str(total + 3_650_000))
    ours = _ours(project)
    assert ours["fig1_gp_appointments_per_day_2022_23"] == pytest.approx(
        committed["fig1_gp_appointments_per_day_2022_23"] + 10_000
    )
    assert ours["fig1_gp_appointments_per_day_change_2018_19"] == pytest.approx(
        committed["fig1_gp_appointments_per_day_change_2018_19"] + 10_000
    )


def test_fig1_majority_share_moves_as_worked_out_by_hand(raw: RawEditor, project: Path) -> None:
    import kfanalysis.figures.fig1_activity as fig1

    per_day = {
        r["setting"]: r["per_day"]
        for r in fig1.build(project).iter_rows(named=True)
        if r["financial_year"] == "2022/23" and r["per_day"] is not None
    }
    inside = per_day["general practice"] + per_day["community services"]
    total = sum(per_day.values())
    assert _ours(project)["fig1_majority_daily_activity_gp_community"] == pytest.approx(100 * inside / total)
    # Add 3,650,000 appointments to general practice: 10,000 more a day on both sides of the share.
    gp_total = int(_cell(project, "nhs_activity", "activity_count", financial_year="2022/23", **GP))
    _set(
        raw, "nhs_activity", {"financial_year": "2022/23", **GP}, "activity_count", str(gp_total + 3_650_000)
    )
    assert _ours(project)["fig1_majority_daily_activity_gp_community"] == pytest.approx(
        100 * (inside + 10_000) / (total + 10_000)
    )


# ---- Figure 2 ----------------------------------------------------------------------------------

PRIMARY_LINES = (
    "general and personal medical services (GMS, PMS, APMS)",
    "general and personal dental services",
    "pharmaceutical services",
    "general ophthalmic services",
)


def _dhsc(root: Path, line: str, year: str = "2021/22") -> float:
    return float(_cell(root, "dhsc_spending", "spending_gbp_m", financial_year=year, spending_line=line))


def test_fig2_primary_care_spend_and_share_from_the_four_lines(project: Path, committed: dict) -> None:
    lines_m = sum(_dhsc(project, line) for line in PRIMARY_LINES)
    rdel_m = _dhsc(project, "total resource DEL")
    assert committed["fig2_primary_care_spend_2021_22"] == pytest.approx(lines_m / 1000)
    assert committed["fig2_primary_care_share_2021_22"] == pytest.approx(100 * lines_m / rdel_m)


def test_fig2_claims_move_with_one_line(raw: RawEditor, project: Path, committed: dict) -> None:
    dental = _dhsc(project, PRIMARY_LINES[1])
    lines_m = sum(_dhsc(project, line) for line in PRIMARY_LINES)
    rdel_m = _dhsc(project, "total resource DEL")
    _set(
        raw,
        "dhsc_spending",
        {"financial_year": "2021/22", "spending_line": PRIMARY_LINES[1]},
        "spending_gbp_m",
        str(int(dental) + 1000),
    )
    ours = _ours(project)
    assert ours["fig2_primary_care_spend_2021_22"] == pytest.approx(
        committed["fig2_primary_care_spend_2021_22"] + 1.0
    )
    assert ours["fig2_primary_care_share_2021_22"] == pytest.approx(100 * (lines_m + 1000) / rdel_m)


def test_fig2_share_moves_with_the_denominator(raw: RawEditor, project: Path) -> None:
    lines_m = sum(_dhsc(project, line) for line in PRIMARY_LINES)
    _set(
        raw,
        "dhsc_spending",
        {"financial_year": "2021/22", "spending_line": "total resource DEL"},
        "spending_gbp_m",
        "200000",
    )
    assert _ours(project)["fig2_primary_care_share_2021_22"] == pytest.approx(100 * lines_m / 200_000)


# ---- Figure 4 ----------------------------------------------------------------------------------

LTS = "long-term support during the year"
REQUESTS = "requests for support from new clients"


def _exact_total(root: Path, measure: str, year: str) -> int:
    rows = [
        r
        for r in _raw(root, "asc_activity")
        if r["measure"] == measure and r["financial_year"] == year and int(r["precision_decimals"]) >= 0
    ]
    assert len({r["activity_count"] for r in rows}) == 1, (measure, year, rows)
    return int(rows[0]["activity_count"])


def _band_sum(root: Path, measure: str, year: str) -> int:
    bands = [
        int(r["activity_count"])
        for r in _raw(root, "asc_activity")
        if r["measure"].startswith(f"{measure}, aged ") and r["financial_year"] == year
    ]
    assert len(bands) == 2
    return sum(bands)


def test_fig4_people_supported_claims_from_the_published_totals(project: Path, committed: dict) -> None:
    base = _exact_total(project, LTS, "2015/16")
    assert committed["fig4_fewer_supported_since_2015_16"] == pytest.approx(
        100 * _exact_total(project, LTS, "2021/22") / base - 100
    )
    assert committed["fig4_sc360_supported_change_2015_16_2022_23"] == pytest.approx(
        100 * _exact_total(project, LTS, "2022/23") / base - 100
    )


def test_fig4_requests_claim_runs_from_the_2015_16_age_bands_to_2022_23(
    project: Path, committed: dict
) -> None:
    # No exact all-ages total for 2015/16 was found (only 1,811,000); the two published age bands are.
    expected = (
        100 * _exact_total(project, REQUESTS, "2022/23") / _band_sum(project, REQUESTS, "2015/16") - 100
    )
    assert committed["fig4_sc360_requests_change_2015_16_2022_23"] == pytest.approx(expected)


def test_fig4_real_spending_claim_from_cash_and_the_deflator(project: Path, committed: dict) -> None:
    index = _deflator(project)
    cash = {
        r["financial_year"]: float(r["gross_current_expenditure_gbp_bn"])
        for r in _raw(project, "asc_expenditure")
        if r["price_basis"] == "cash" and r["financial_year"] in ("2015/16", "2021/22")
    }
    real_2015 = cash["2015/16"] * 100 / index["2015/16"]
    real_2021 = cash["2021/22"] * 100 / index["2021/22"]
    assert committed["fig4_real_spend_up_since_2015_16"] == pytest.approx(100 * real_2021 / real_2015 - 100)


def test_fig4_claims_move_with_their_end_year_cells(raw: RawEditor, project: Path, committed: dict) -> None:
    base_lts = _exact_total(project, LTS, "2015/16")
    base_requests = _band_sum(project, REQUESTS, "2015/16")
    for measure, year, value in (
        (LTS, "2021/22", "800000"),
        (LTS, "2022/23", "900000"),
        (REQUESTS, "2022/23", "2100000"),
    ):
        _set(
            raw,
            "asc_activity",
            {"financial_year": year, "measure": measure, "precision_decimals": "0"},
            "activity_count",
            value,
        )
    ours = _ours(project)
    assert ours["fig4_fewer_supported_since_2015_16"] == pytest.approx(100 * 800_000 / base_lts - 100)
    assert ours["fig4_sc360_supported_change_2015_16_2022_23"] == pytest.approx(
        100 * 900_000 / base_lts - 100
    )
    assert ours["fig4_sc360_requests_change_2015_16_2022_23"] == pytest.approx(
        100 * 2_100_000 / base_requests - 100
    )


def test_fig4_real_spending_claim_moves_with_the_deflator(raw: RawEditor, project: Path) -> None:
    index = _deflator(project)
    cash_2015, cash_2021 = _cash_gce(project, "2015/16"), _cash_gce(project, "2021/22")
    # Raise prices in 2015/16 by a tenth: real spending that year falls by a tenth of its value.
    _set(
        raw,
        "gdp_deflator",
        {"financial_year": "2015/16", "source_id": MARCH_2023},
        "gdp_deflator_index",
        f"{index['2015/16'] * 1.1:.4f}",
    )
    edited = float(f"{index['2015/16'] * 1.1:.4f}")
    expected = 100 * (cash_2021 * 100 / index["2021/22"]) / (cash_2015 * 100 / edited) - 100
    assert _ours(project)["fig4_real_spend_up_since_2015_16"] == pytest.approx(expected)


def test_fig4_table_in_real_terms_at_another_base(project: Path) -> None:
    # At the default 2021/22 base the 2021/22 factor is 1, so a rebasing slip hides there; here
    # every year is rebased to 2015/16 prices and checked against the raw index by hand.
    import polars as pl

    import kfanalysis.figures.fig4_social_care as fig4

    table = fig4.build(project).filter(pl.col("gce_cash_gbp_bn").is_not_null())
    index = _deflator(project)
    rebased = kfanalysis.to_real_terms(
        table.select("financial_year", "gce_cash_gbp_bn"),
        "gce_cash_gbp_bn",
        base="2015/16",
        allow_forecast=True,
    )
    column = next(c for c in rebased.columns if c.startswith("gce_cash_gbp_bn_real"))
    for row in rebased.iter_rows(named=True):
        year = row["financial_year"]
        assert row[column] == pytest.approx(row["gce_cash_gbp_bn"] * index["2015/16"] / index[year]), year


def test_fig4_real_spending_claim_under_the_june_2023_deflator(project: Path, committed: dict) -> None:
    # The June 2023 edition is referenced to 2022-23 = 100; the ratio of two years does not care.
    june = {
        r["financial_year"]: float(r["gdp_deflator_index"])
        for r in _raw(project, "gdp_deflator_2023_06")
        if r["gdp_deflator_index"]
    }
    cash_2015, cash_2021 = _cash_gce(project, "2015/16"), _cash_gce(project, "2021/22")
    expected = 100 * (cash_2021 / june["2021/22"]) / (cash_2015 / june["2015/16"]) - 100
    table = kfanalysis.ledger(root=project)
    row = next(r for r in table.iter_rows(named=True) if r["claim_id"] == "fig4_real_spend_up_since_2015_16")
    assert row["ours_value_deflator_2023_06"] == pytest.approx(expected)
    assert row["status_deflator_2023_06"] == ("reproduced" if expected > 0 else "differs")
    # A claim in cash or in counts has no deflator sensitivity.
    fig1 = [r for r in table.iter_rows(named=True) if r["figure"] == "fig1"]
    assert fig1 and all(r["status_deflator_2023_06"] is None for r in fig1)


# ---- Figure 5 ----------------------------------------------------------------------------------


def _doctors(root: Path, group: str, basis: str, date: str) -> float:
    return float(
        _cell(root, "doctors_workforce", "staff_number", staff_group=group, basis=basis, snapshot_date=date)
    )


def test_fig5_growth_claims_from_the_september_counts(project: Path, committed: dict) -> None:
    # Fully qualified GPs have FTE at both ends; consultants only headcount at September 2021.
    gps = _doctors(project, "fully qualified GPs", "FTE", "2021-09-30") / _doctors(
        project, "fully qualified GPs", "FTE", "2016-09-30"
    )
    consultants = _doctors(project, "HCHS consultants", "headcount", "2021-09-30") / _doctors(
        project, "HCHS consultants", "headcount", "2016-09-30"
    )
    assert committed["fig5_gp_growth_2016_17_2021_22"] == pytest.approx(100 * gps - 100)
    assert committed["fig5_consultant_growth_2016_17_2021_22"] == pytest.approx(100 * consultants - 100)


def test_fig5_gp_growth_moves_with_the_september_2021_count(raw: RawEditor, project: Path) -> None:
    start = _doctors(project, "fully qualified GPs", "FTE", "2016-09-30")
    _set(
        raw,
        "doctors_workforce",
        {"staff_group": "fully qualified GPs", "basis": "FTE", "snapshot_date": "2021-09-30"},
        "staff_number",
        "30000",
    )
    assert _ours(project)["fig5_gp_growth_2016_17_2021_22"] == pytest.approx(100 * 30_000 / start - 100)
