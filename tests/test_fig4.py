"""Figure 4: council adult social care spending against people supported."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor, raw_path

import kfanalysis.figures.fig4_social_care as fig4
from kfanalysis.errors import FigureInputError
from kfanalysis.prices import deflator
from kfanalysis.published import Computed, Missing


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig4.build(project)


def _rows(root: Path, name: str) -> list[dict[str, str]]:
    with raw_path(root, name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _year(table: pl.DataFrame, year: str) -> dict[str, object]:
    return table.filter(pl.col("financial_year") == year).row(0, named=True)


def test_series_start_at_100_in_2015_16(table: pl.DataFrame) -> None:
    base = _year(table, "2015/16")
    assert base["gce_real_index"] == pytest.approx(100.0)
    assert base["long_term_support_index"] == pytest.approx(100.0)
    assert base["requests_index"] == pytest.approx(100.0)
    assert table["financial_year"].min() == "2015/16"


def test_real_spending_is_cash_times_base_index_over_year_index(project: Path, table: pl.DataFrame) -> None:
    index = {
        r["financial_year"]: r["gdp_deflator_index"] for r in deflator(root=project).iter_rows(named=True)
    }
    for row in table.iter_rows(named=True):
        expected = row["gce_cash_gbp_bn"] * index["2021/22"] / index[row["financial_year"]]
        assert row["gce_real_2021_22_gbp_bn"] == pytest.approx(expected)
    # 2021/22 is the base year: real equals cash.
    assert _year(table, "2021/22")["gce_real_2021_22_gbp_bn"] == _year(table, "2021/22")["gce_cash_gbp_bn"]


def _add_requests_row(raw: RawEditor, year: str, count: str, precision: str) -> None:
    """Append a test row of all-ages requests for one year, from a source not otherwise used for it."""
    rows = raw.rows("asc_activity")
    header = rows[0]
    extra = dict(zip(header, rows[1], strict=True))
    extra.update(
        financial_year=year,
        measure="requests for support from new clients",
        activity_count=count,
        precision_decimals=precision,
        source_id="nhse_ascfr_2023_24",
        locator="test row",
        read_at="",
        note="",
    )
    rows.append([extra[c] for c in header])
    raw.write_rows("asc_activity", rows)


def test_most_precise_figure_wins_over_a_rounded_one(raw: RawEditor, project: Path) -> None:
    # 2017/18 requests are published exactly by two sources; add a rounded one from a later-dated
    # edition: precision must still decide.
    _add_requests_row(raw, "2017/18", "1800000", "-5")
    table = fig4.build(project)
    assert _year(table, "2017/18")["requests_count"] == 1843920


def test_each_count_is_the_most_exact_published_figure(project: Path, table: pl.DataFrame) -> None:
    # Worked out here from the raw cells, independently of the figure's helper: an all-ages
    # total published to the unit wins; else the two published age bands added; else a rounded
    # total; else none. Assumes nothing about which years hold which measure: a new year may
    # arrive with its spending before its counts, or with one count and not the other.
    rows = _rows(project, "asc_activity")
    for measure, column in (
        ("long-term support during the year", "long_term_support"),
        ("requests for support from new clients", "requests"),
    ):
        exact = {
            r["financial_year"]: int(r["activity_count"])
            for r in rows
            if r["measure"] == measure and int(r["precision_decimals"]) >= 0
        }
        rounded: dict[str, set[int]] = {}
        for r in rows:
            if r["measure"] == measure and int(r["precision_decimals"]) < 0:
                rounded.setdefault(r["financial_year"], set()).add(int(r["activity_count"]))
        bands: dict[str, list[int]] = {}
        for r in rows:
            if r["measure"].startswith(f"{measure}, aged "):
                bands.setdefault(r["financial_year"], []).append(int(r["activity_count"]))
        for row in table.iter_rows(named=True):
            year = row["financial_year"]
            if row["is_activity_series_break"]:
                # Client level data: a new series, so no count is joined to the SALT years.
                assert row[f"{column}_count"] is None, (measure, year)
            elif year in exact:
                assert row[f"{column}_count"] == exact[year], (measure, year)
                assert row[f"{column}_basis"] == "published total"
            elif len(bands.get(year, [])) == 2:
                assert row[f"{column}_count"] == sum(bands[year]), (measure, year)
                assert row[f"{column}_basis"] == "sum of age bands"
            elif year in rounded:
                assert row[f"{column}_count"] in rounded[year], (measure, year)
                assert row[f"{column}_basis"] == "rounded published total"
            else:  # not published for this year (yet): left empty, never guessed
                assert row[f"{column}_count"] is None, (measure, year)
                assert row[f"{column}_index"] is None, (measure, year)


def test_2016_17_uses_the_age_bands_not_the_rounded_press_figures(table: pl.DataFrame) -> None:
    # NHS Digital, Overview data tables 2022: Table 1 C9 + C10 and Table 3 C6 + C7.
    row = _year(table, "2016/17")
    assert row["requests_count"] == 508_620 + 1_305_795
    assert row["long_term_support_count"] == 290_835 + 577_600
    # NHS Digital reported requests up 0.2% on 2015/16; the rounded 1.8 million showed a fall.
    assert row["requests_index"] > 100
    assert row["requests_index"] == pytest.approx(100 * 1_814_415 / (500_670 + 1_310_060))


def test_a_published_exact_total_beats_the_age_bands(raw: RawEditor, project: Path) -> None:
    _add_requests_row(raw, "2016/17", "1814410", "0")
    row = _year(fig4.build(project), "2016/17")
    assert row["requests_count"] == 1_814_410
    assert row["requests_basis"] == "published total"


def test_a_year_with_one_age_band_falls_back_to_the_rounded_total(raw: RawEditor, project: Path) -> None:
    raw.edit(
        "asc_activity",
        lambda rows: rows.__setitem__(
            slice(None),
            [
                r
                for r in rows
                if not (
                    r[0] == "2016/17" and r[1].endswith("requests for support from new clients, aged 18-64")
                )
            ],
        ),
    )
    row = _year(fig4.build(project), "2016/17")
    assert row["requests_count"] == 1_800_000
    assert row["requests_basis"] == "rounded published total"


def test_covid_and_newer_years_are_marked(table: pl.DataFrame) -> None:
    assert table.filter(pl.col("is_covid_year"))["financial_year"].to_list() == ["2020/21", "2021/22"]
    assert all(y > "2022/23" for y in table.filter(pl.col("is_newer_than_report"))["financial_year"])


def test_missing_base_year_spending_stops_the_build(raw: RawEditor, project: Path) -> None:
    raw.edit(
        "asc_expenditure",
        lambda rows: rows.__setitem__(
            slice(None), [r for r in rows if not (r[0] == "2015/16" and r[1] == "cash")]
        ),
    )
    with pytest.raises(FigureInputError, match="2015/16"):
        fig4.build(project)


def test_missing_base_year_requests_makes_the_claim_missing_not_guessed(
    raw: RawEditor, project: Path
) -> None:
    raw.edit(
        "asc_activity",
        lambda rows: rows.__setitem__(
            slice(None), [r for r in rows if not (r[0] == "2015/16" and r[1].startswith("requests"))]
        ),
    )
    table = fig4.build(project)
    assert _year(table, "2022/23")["requests_index"] is None
    result = fig4.claims(table)["fig4_sc360_requests_change_2015_16_2022_23"]
    assert isinstance(result, Missing)


def test_claims_are_changes_since_2015_16(table: pl.DataFrame) -> None:
    results = fig4.claims(table)
    spend = results["fig4_real_spend_up_since_2015_16"]
    assert isinstance(spend, Computed)
    assert spend.value == pytest.approx(_year(table, "2021/22")["gce_real_index"] - 100)
    assert "fig4_sc360_supported_change_2015_16_2022_23" not in results


def test_people_supported_claim_names_every_official_basis_with_its_result(
    project: Path, table: pl.DataFrame
) -> None:
    supported = fig4.claims_from_raw(project)["fig4_sc360_supported_change_2015_16_2022_23"]
    assert isinstance(supported, Computed)
    lts = {r["financial_year"]: r["long_term_support_count"] for r in table.iter_rows(named=True)}
    assert supported.value == pytest.approx(100 * (lts["2022/23"] / lts["2015/16"] - 1))
    # Each alternative is worked out by hand from the raw rows it rests on.
    rows = _rows(project, "asc_activity")

    def count(year: str, measure: str) -> int:
        exact = [r for r in rows if r["financial_year"] == year and r["measure"] == measure]
        if exact and int(exact[0]["precision_decimals"]) >= 0:
            return int(exact[0]["activity_count"])
        bands = [
            r for r in rows if r["financial_year"] == year and r["measure"].startswith(measure + ", aged ")
        ]
        assert len(bands) == 2, (year, measure)
        return sum(int(r["activity_count"]) for r in bands)

    year_end = 100 * (count("2022/23", fig4.YEAR_END) / count("2015/16", fig4.YEAR_END) - 1)
    both = 100 * (
        (count("2022/23", fig4.LTS) + count("2022/23", fig4.ST_MAX))
        / (count("2015/16", fig4.LTS) + count("2015/16", fig4.ST_MAX))
        - 1
    )
    bases = fig4.supported_change_bases(project)
    assert bases["change_pct"].to_list() == pytest.approx([supported.value, year_end, both])
    for row in bases.iter_rows(named=True):
        assert f"{row['basis']}: {row['change_pct']:+.1f}%" in supported.why_differs


def test_a_basis_lacking_a_year_is_named_as_not_held(project: Path, raw: RawEditor) -> None:
    kept = [r for r in raw.rows("asc_activity") if r[1] != fig4.YEAR_END]
    raw.write_rows("asc_activity", kept)
    supported = fig4.claims_from_raw(project)["fig4_sc360_supported_change_2015_16_2022_23"]
    assert isinstance(supported, Computed)
    assert "at year end (31 March): not held" in supported.why_differs


def test_trend_fits_report_the_gap(table: pl.DataFrame) -> None:
    fits = fig4.trend_fits(table)
    assert set(fits) == {"gce_real_index", "long_term_support_index", "requests_index", "gap"}
    gap = fits["gap"]
    assert gap.n == table.filter(pl.col("financial_year") <= "2022/23").height
    assert gap.slope_ci_low <= gap.slope <= gap.slope_ci_high
    assert gap.slope == pytest.approx(fits["gce_real_index"].slope - fits["long_term_support_index"].slope)


def test_real_change_comparison_lines_up_years(project: Path, table: pl.DataFrame) -> None:
    check = fig4.real_change_comparison(table, project)
    published_years = [r["financial_year"] for r in _rows(project, "asc_real_change_published")]
    assert check["financial_year"].to_list() == published_years
    row = check.filter(pl.col("financial_year") == "2018/19").row(0, named=True)
    real = {r["financial_year"]: r["gce_real_2021_22_gbp_bn"] for r in table.iter_rows(named=True)}
    assert row["ours_real_change_pct"] == pytest.approx(100 * (real["2018/19"] / real["2017/18"] - 1))
    assert row["difference_pct_points"] == pytest.approx(
        row["ours_real_change_pct"] - row["published_real_change_pct"]
    )


def test_plot_has_one_line_per_series(table: pl.DataFrame) -> None:
    figure = fig4.plot(table)
    (axes,) = figure.axes
    # Three series, the 100 reference line and the dashed line marking the activity series break.
    assert len(axes.get_lines()) == 5
