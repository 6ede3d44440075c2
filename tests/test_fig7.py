from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import RawEditor, raw_path

import kfanalysis.figures.fig7_vacancies as fig7
from kfanalysis.errors import FigureInputError
from kfanalysis.periods import FinancialYear
from kfanalysis.published import Found, Missing


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig7.build(project)


def _raw_dicts(root: Path, name: str) -> list[dict[str, str]]:
    with raw_path(root, name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _newest_rows(rows: list[dict[str, str]]) -> list[tuple[str, tuple[str, str], dict[str, str]]]:
    """For each year, the raw row of the newest edition that gives a rate."""
    best: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["vacancy_rate_pct"] == "":
            continue
        year = row["financial_year"]
        edition = FinancialYear.parse(row["edition_data_to"])
        if year not in best or edition > FinancialYear.parse(best[year]["edition_data_to"]):
            best[year] = row
    return [(year, (row["vacancy_rate_pct"], row["source_id"]), row) for year, row in best.items()]


def _by_year(table: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["financial_year"]: row for row in table.iter_rows(named=True)}


def test_table_covers_2012_13_to_the_latest_vacancy_year(project: Path, table: pl.DataFrame) -> None:
    raw_years = [
        FinancialYear.parse(r["financial_year"]) for r in _raw_dicts(project, "social_care_vacancies")
    ]
    expected = [str(y) for y in FinancialYear.range("2012/13", max(max(raw_years), FinancialYear(2022)))]
    assert table["financial_year"].to_list() == expected
    newer = table.filter(pl.col("is_newer_than_report"))["financial_year"].to_list()
    assert newer == [y for y in expected if FinancialYear.parse(y) > FinancialYear.parse("2022/23")]


def test_years_without_an_estimate_are_empty_not_zero(table: pl.DataFrame) -> None:
    rows = _by_year(table)
    for year in ("2013/14", "2014/15", "2015/16"):
        assert rows[year]["vacancy_rate_pct"] is None
        assert rows[year]["vacancy_rate_source_id"] is None
    assert table["vacancy_rate_pct"].null_count() >= 3
    assert (table["vacancy_rate_pct"].drop_nulls() > 0).all()
    assert not table["vacancy_rate_pct"].is_nan().any()


def test_each_year_takes_rate_and_count_from_one_edition(project: Path, table: pl.DataFrame) -> None:
    # Worked out from the raw rows: the newest edition with a rate, and that edition's count.
    chosen = {year: row for year, _, row in _newest_rows(_raw_dicts(project, "social_care_vacancies"))}
    rows = _by_year(table)
    for year, raw_row in chosen.items():
        row = rows[year]
        assert row["edition_data_to"] == raw_row["edition_data_to"], year
        assert row["vacancy_rate_pct"] == pytest.approx(float(raw_row["vacancy_rate_pct"])), year
        assert row["vacancy_rate_source_id"] == raw_row["source_id"], year
        if raw_row["vacancies_count"]:
            assert row["vacancies_count"] == int(raw_row["vacancies_count"]), year
            assert row["vacancies_source_id"] == raw_row["source_id"], year
        else:
            assert row["vacancies_count"] is None and row["vacancies_source_id"] is None, year
    for year, row in rows.items():
        if year not in chosen:
            assert row["vacancy_rate_pct"] is None and row["vacancies_count"] is None, year


def test_2020_21_count_is_not_taken_from_an_edition_without_the_rate(raw: RawEditor, project: Path) -> None:
    # The 2023 edition's 110,000 for 2020/21 has no rate beside it; make it differ from the
    # 2022 edition's count so the test can tell which edition was used.
    def change(rows: list[list[str]]) -> None:
        header = rows[0]
        for r in rows[1:]:
            if (
                r[header.index("financial_year")] == "2020/21"
                and r[header.index("edition_data_to")] == "2022/23"
            ):
                r[header.index("vacancies_count")] = "111000"

    raw.edit("social_care_vacancies", change)
    row = _by_year(fig7.build(project))["2020/21"]
    assert row["edition_data_to"] == "2021/22"
    assert row["vacancy_rate_pct"] == pytest.approx(7.0)
    assert row["vacancies_count"] == 110_000


def test_2021_22_rate_comes_from_the_2022_23_edition_not_the_earlier_one(
    project: Path, table: pl.DataFrame
) -> None:
    rows_2021 = [
        r
        for r in _raw_dicts(project, "social_care_vacancies")
        if r["financial_year"] == "2021/22" and r["vacancy_rate_pct"]
    ]
    assert len(rows_2021) >= 2, "the raw table should hold two editions' estimates for 2021/22"
    newest = max(rows_2021, key=lambda r: FinancialYear.parse(r["edition_data_to"]))
    older = [r for r in rows_2021 if r is not newest]
    assert all(float(r["vacancy_rate_pct"]) != float(newest["vacancy_rate_pct"]) for r in older), (
        "the editions must disagree for this test to tell them apart"
    )
    row = _by_year(table)["2021/22"]
    assert row["vacancy_rate_pct"] == pytest.approx(float(newest["vacancy_rate_pct"]))
    assert row["vacancy_rate_source_id"] == newest["source_id"]


def test_unemployment_comes_from_the_raw_table(project: Path, table: pl.DataFrame) -> None:
    raw = {r["financial_year"]: r for r in _raw_dicts(project, "unemployment_rate")}
    for year, row in _by_year(table).items():
        if year in raw:
            assert row["unemployment_rate_pct"] == pytest.approx(float(raw[year]["unemployment_rate_pct"]))
            assert row["geography"] == raw[year]["geography"]
            assert row["unemployment_source_id"] == raw[year]["source_id"]
        else:
            assert row["unemployment_rate_pct"] is None


def test_fit_uses_every_complete_pair_in_the_report_years(table: pl.DataFrame) -> None:
    fitted = fig7.fit(table)
    report = table.filter(~pl.col("is_newer_than_report"))
    complete = report.filter(
        pl.col("vacancy_rate_pct").is_not_null() & pl.col("unemployment_rate_pct").is_not_null()
    )
    assert fitted.n == complete.height
    assert fitted.n < report.height  # the gap years are dropped, not filled
    assert fitted.slope_ci_low < fitted.slope < fitted.slope_ci_high
    assert fitted.confidence == 0.95
    assert 0.0 <= fitted.r_squared <= 1.0
    assert 0.0 <= fitted.p_value <= 1.0
    # the slope is the OLS slope of the complete pairs, computed here by hand
    xs, ys = complete["unemployment_rate_pct"].to_list(), complete["vacancy_rate_pct"].to_list()
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    assert fitted.slope == pytest.approx(slope, rel=1e-9)
    assert fitted.intercept == pytest.approx(my - slope * mx, rel=1e-9)


def test_plot_returns_a_figure_with_two_axes(table: pl.DataFrame) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    figure = fig7.plot(table)
    try:
        assert isinstance(figure, Figure)
        assert len(figure.axes) == 2
        left, right = figure.axes
        assert [t.get_text() for t in left.get_xticklabels()] == table["financial_year"].to_list()
        assert right.get_xlabel().startswith("Unemployment rate")
    finally:
        plt.close(figure)


def test_claims_come_from_the_table(table: pl.DataFrame) -> None:
    results = fig7.claims(table)
    rows = _by_year(table)
    # The counts are quoted from Skills for Care, so they are found, never computed.
    assert isinstance(results["fig7_vacancies_2020_21"], Found)
    assert isinstance(results["fig7_vacancies_2022_23"], Found)
    assert results["fig7_vacancies_2022_23"].source_id == rows["2022/23"]["vacancies_source_id"]
    assert results["fig7_vacancies_2020_21"].value == float(rows["2020/21"]["vacancies_count"])
    assert results["fig7_vacancies_2022_23"].value == float(rows["2022/23"]["vacancies_count"])
    assert "fig7_social_care_extra_staff_by_2035" not in results


def test_extra_staff_projection_is_found_with_its_edition(project: Path) -> None:
    result = fig7.claims_from_raw(project)["fig7_social_care_extra_staff_by_2035"]
    assert isinstance(result, Found)
    assert result.value == 480000
    assert result.source_id == "sfc_annual_review_2022_23"
    assert "edition: Skills for Care workforce estimates 2021-22" in result.locator


def test_extra_staff_projection_without_its_row_is_missing(project: Path, raw: RawEditor) -> None:
    rows = raw.rows("quoted_estimates")
    raw.write_rows("quoted_estimates", [r for r in rows if r[0] != "asc_extra_jobs_by_2035"])
    result = fig7.claims_from_raw(project)["fig7_social_care_extra_staff_by_2035"]
    assert isinstance(result, Missing) and "quoted_estimates" in result.missing_input


def test_missing_2022_23_unemployment_stops_the_build(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    year = rows[0].index("financial_year")
    kept = [r for r in rows if r[year] != "2022/23"]
    assert len(kept) == len(rows) - 1
    raw.write_rows("unemployment_rate", kept)
    with pytest.raises(FigureInputError, match=r"unemployment_rate\.csv") as info:
        fig7.build(project)
    assert "2022/23" in str(info.value)


def test_missing_end_point_vacancy_rate_stops_the_build(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("social_care_vacancies")
    year = rows[0].index("financial_year")
    raw.write_rows("social_care_vacancies", [r for r in rows if r[year] != "2012/13"])
    with pytest.raises(FigureInputError, match=r"social_care_vacancies\.csv.*2012/13"):
        fig7.build(project)


def test_complete_england_series_is_preferred(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    header = rows[0]
    england = []
    for row in rows[1:]:
        copy = dict(zip(header, row, strict=True))
        copy["geography"] = "England"
        copy["unemployment_rate_pct"] = str(round(float(copy["unemployment_rate_pct"]) + 0.1, 1))
        england.append([copy[c] for c in header])
    raw.write_rows("unemployment_rate", [*rows, *england])
    table = fig7.build(project)
    report = table.filter(~pl.col("is_newer_than_report"))
    assert set(report["geography"]) == {"England"}
    by_year = {r[0]: float(r[header.index("unemployment_rate_pct")]) for r in england}
    for row in report.iter_rows(named=True):
        assert row["unemployment_rate_pct"] == pytest.approx(by_year[row["financial_year"]])


def test_the_rate_whose_sector_is_not_stated_is_marked_and_fitted_apart(table: pl.DataFrame) -> None:
    # 2012/13's rate does not say which employers it covers, and it drives the slope: the chart
    # draws it hollow and shows the fit without it beside the fit with it.
    assert fig7.sector_not_stated(table) == ["2012/13"]
    assert fig7.fit_all_sectors(table).slope == pytest.approx(fig7.fit(table, leave_out="2012/13").slope)
    figure = fig7.plot(table)
    try:
        _, right = figure.axes
        labels = [t.get_text() for t in right.get_legend().get_texts()]
        assert "2012/13: sector not stated" in labels
        assert any(label.startswith("Fit without 2012/13") for label in labels)
        assert any(label.startswith("Fit, all years") for label in labels)
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    assert "drawn hollow" in fig7.alt_text(table)
