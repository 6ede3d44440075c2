"""Figure 1: average NHS activity a day by setting."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor

import kfanalysis.figures.fig1_activity as fig1
from kfanalysis.errors import FigureInputError
from kfanalysis.loader import load
from kfanalysis.published import Computed


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig1.build(project)


def _row(table: pl.DataFrame, year: str, setting: str) -> dict[str, object]:
    chosen = table.filter((pl.col("financial_year") == year) & (pl.col("setting") == setting))
    return chosen.row(0, named=True)


def _drop(rows: list[list[str]], keep: object) -> None:
    """Remove data rows (not the header) for which keep(row_dict) is False."""
    header = rows[0]
    rows[1:] = [r for r in rows[1:] if keep(dict(zip(header, r, strict=True)))]


def test_days_in_a_financial_year_count_the_leap_day() -> None:
    assert fig1.days_in("2022/23") == 365
    assert fig1.days_in("2023/24") == 366  # contains 29 February 2024
    assert fig1.days_in("2019/20") == 366


def test_every_setting_appears_each_year_in_chart_order(table: pl.DataFrame) -> None:
    for year in fig1.YEARS:
        settings = table.filter(pl.col("financial_year") == year)["setting"].to_list()
        assert settings == list(fig1.MEASURE_OF_SETTING)


def test_per_day_is_the_annual_figure_over_calendar_days(table: pl.DataFrame) -> None:
    rows = table.drop_nulls("per_day")
    assert rows.height >= 12
    for row in rows.iter_rows(named=True):
        assert row["per_day"] == pytest.approx(row["annual_count"] / fig1.days_in(row["financial_year"]))


def test_shares_add_to_100_over_the_settings_with_data(table: pl.DataFrame) -> None:
    for year in fig1.YEARS:
        shares = table.filter(pl.col("financial_year") == year)["share_of_day_pct"].drop_nulls()
        assert shares.sum() == pytest.approx(100)


def test_a_setting_with_no_published_figure_is_empty_not_zero(table: pl.DataFrame) -> None:
    row = _row(table, "2022/23", "NHS 111")
    assert row["per_day"] is None and row["annual_count"] is None and row["share_of_day_pct"] is None
    assert fig1.missing_settings(table, "2022/23") == ["NHS 111"]


def test_monthly_values_are_summed_only_when_all_twelve_are_present(project: Path, raw: RawEditor) -> None:
    before = _row(fig1.build(project), "2018/19", "ambulance")
    assert before["how_annual"] == "sum of 12 published monthly values"
    raw.edit(
        "nhs_activity",
        lambda rows: _drop(rows, lambda r: not (r["setting"] == "ambulance" and r["period"] == "2018-11")),
    )
    after = _row(fig1.build(project), "2018/19", "ambulance")
    assert after["per_day"] is None  # eleven months: a gap, never a scaled-up eleven


def test_a_published_annual_total_wins_over_the_sum_of_months(project: Path, table: pl.DataFrame) -> None:
    row = _row(table, "2022/23", "A&E")
    assert row["how_annual"] == "published annual total"
    assert row["source_id"] == "nhsd_hes_ae_2022_23"


def test_monthly_compilation_adds_up_to_the_published_annual_totals(project: Path) -> None:
    """The compiled monthly values must reproduce the official annual totals wherever both exist."""
    activity = load("nhs_activity", project)
    annual = activity.filter(pl.col("period") == pl.col("financial_year"))
    monthly = activity.filter(pl.col("period") != pl.col("financial_year"))
    checked = 0
    for row in annual.iter_rows(named=True):
        months = monthly.filter(
            (pl.col("setting") == row["setting"])
            & (pl.col("activity_measure") == row["activity_measure"])
            & (pl.col("financial_year") == row["financial_year"])
        )
        if months.height == 12:
            assert months["activity_count"].sum() == row["activity_count"], row
            checked += 1
    assert checked >= 4  # outpatients in three years and A&E in 2022/23


def test_missing_primary_care_stops_the_build_with_a_fix(project: Path, raw: RawEditor) -> None:
    raw.edit("nhs_activity", lambda rows: _drop(rows, lambda r: r["setting"] != "community services"))
    with pytest.raises(FigureInputError, match=r"community services 2018/19.*\n  Fix:"):
        fig1.build(project)


def test_two_sources_for_one_setting_and_year_are_refused(project: Path, raw: RawEditor) -> None:
    def duplicate(rows: list[list[str]]) -> None:
        header = rows[0]
        source = header.index("source_id")
        original = next(
            r
            for r in rows[1:]
            if r[header.index("setting")] == "hospital admissions" and r[header.index("period")] == "2022/23"
        )
        copy = list(original)
        copy[source] = "nao_unplanned_urgent_care_2023"
        rows.append(copy)

    raw.edit("nhs_activity", duplicate)
    with pytest.raises(FigureInputError, match="2 sources give hospital admissions"):
        fig1.build(project)


def test_share_and_margin_agree(table: pl.DataFrame) -> None:
    share = fig1.primary_and_community_share(table, "2022/23")
    margin = fig1.majority_margin(table, "2022/23")
    total = table.filter(pl.col("financial_year") == "2022/23")["per_day"].drop_nulls().sum()
    # Adding exactly the margin to the other settings brings the share to one half.
    assert 100 * (share / 100 * total) / (total + margin) == pytest.approx(50)


def test_claims_are_computed_from_the_table(table: pl.DataFrame) -> None:
    results = fig1.claims(table)
    assert set(results) == {
        "fig1_gp_appointments_per_day_2022_23",
        "fig1_gp_appointments_per_day_change_2018_19",
        "fig1_majority_daily_activity_gp_community",
    }
    day = results["fig1_gp_appointments_per_day_2022_23"]
    change = results["fig1_gp_appointments_per_day_change_2018_19"]
    assert isinstance(day, Computed) and isinstance(change, Computed)
    gp = {y: _row(table, y, "general practice")["per_day"] for y in fig1.YEARS}
    assert day.value == pytest.approx(gp["2022/23"])
    assert change.value == pytest.approx(gp["2022/23"] - gp["2018/19"])
    assert day.why_differs and change.why_differs


def test_gp_hypotheses_derive_nhs_englands_comparator_from_its_two_published_numbers(project: Path) -> None:
    hypotheses = fig1.gp_hypotheses(project)
    activity = load("nhs_activity", project)

    def published(measure: str) -> int:
        return int(activity.filter(pl.col("activity_measure") == measure)["activity_count"][0])

    nhse = hypotheses.filter(pl.col("basis").str.starts_with("NHS England")).row(0, named=True)
    expected = published("appointments excluding COVID-19 vaccinations, 12 months") - published(
        "increase on 2018/19 in appointments excluding COVID-19 vaccinations, 12 months"
    )
    assert nhse["annual_count"] == expected
    assert nhse["per_day"] == pytest.approx(expected / 365)
    # Two numbers each rounded to 0.1 million: the difference can be out by 0.1 million.
    assert nhse["per_day_rounding"] == pytest.approx(100_000 / 365)


def test_a_change_is_never_plotted_as_a_count(table: pl.DataFrame) -> None:
    measures = set(table["activity_measure"].drop_nulls())
    assert not any(m.startswith("increase") for m in measures)


def test_alt_text_reads_its_numbers_from_the_table(table: pl.DataFrame) -> None:
    text = fig1.alt_text(table)
    gp = _row(table, "2022/23", "general practice")["per_day"]
    assert isinstance(gp, float) and not math.isnan(gp)
    assert f"{gp:,.0f}" in text
    assert "NHS 111 no published figure" in text
