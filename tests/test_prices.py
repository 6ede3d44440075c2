from __future__ import annotations

import csv
import math
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
from conftest import REAL_RAW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kfanalysis.errors import FigureInputError
from kfanalysis.periods import FinancialYear
from kfanalysis.prices import chain_index, deflator, real_column_name, rebase, to_real_terms

# Published index values of the March 2023 edition used in the hand-worked examples below.
INDEX_2012_13 = 84.0695
INDEX_2015_16 = 87.453
INDEX_2016_17 = 89.2484
CHANGE_2022_23 = 5.683492112408195
CHANGE_2023_24 = 2.5246453029121874

QNA_CSV = (
    Path(__file__).resolve().parents[2] / "shared" / "sources" / "round2" / "ons_qna_dataset_2023-03-31.csv"
)


@pytest.fixture
def index(project: Path) -> pl.DataFrame:
    return deflator(root=project)


def _year_value(table: pl.DataFrame, year: str, column: str) -> object:
    values = table.filter(pl.col("financial_year") == year)[column]
    assert values.len() == 1, f"expected one row for {year}"
    return values[0]


# ---- hand-worked examples -----------------------------------------------------------------


def test_real_value_at_2021_22_prices(index: pl.DataFrame) -> None:
    cash = pl.DataFrame(
        {"financial_year": ["2016/17", "2012/13", "2021/22"], "spend_gbp_m": [100.0, 100.0, 55.5]}
    )
    real = to_real_terms(cash, "spend_gbp_m", index=index)
    column = real["spend_gbp_m_real_2021_22"].to_list()
    # 2016/17: 100 x 100 / 89.2484 = 10000 / 89.2484 = 112.04682...
    assert column[0] == pytest.approx(112.04682660977676, rel=1e-12)
    # 2012/13: 100 x 100 / 84.0695 = 10000 / 84.0695 = 118.94920...
    assert column[1] == pytest.approx(118.94920274296861, rel=1e-12)
    # 2021/22 is the base (index 100): 55.5 x 100 / 100 = 55.5
    assert column[2] == pytest.approx(55.5, rel=1e-12)
    # the hand arithmetic above, restated from the constants so a typo in either shows up
    assert column[0] == pytest.approx(100 * 100 / INDEX_2016_17)
    assert column[1] == pytest.approx(100 * 100 / INDEX_2012_13)


def test_real_value_at_2016_17_prices(index: pl.DataFrame) -> None:
    cash = pl.DataFrame({"financial_year": ["2015/16"], "spend_gbp_m": [250.0]})
    real = to_real_terms(cash, "spend_gbp_m", base="2016/17", index=index)
    # index rebased to 2016/17: 2015/16 becomes 87.453 x 100 / 89.2484 = 97.988...;
    # real = 250 x 100 / 97.988... = 250 x 89.2484 / 87.453 = 255.13247...
    assert real["spend_gbp_m_real_2016_17"][0] == pytest.approx(255.1324711559352, rel=1e-12)
    assert real["spend_gbp_m_real_2016_17"][0] == pytest.approx(250 * INDEX_2016_17 / INDEX_2015_16)


def test_rebase_puts_100_in_the_base_year(index: pl.DataFrame) -> None:
    rebased = rebase(index, "2016/17")
    assert _year_value(rebased, "2016/17", "gdp_deflator_index") == pytest.approx(100.0, rel=1e-12)
    # 2021/22 was 100, so it becomes 100 x 100 / 89.2484 = 112.04682...
    assert _year_value(rebased, "2021/22", "gdp_deflator_index") == pytest.approx(112.04682660977676)
    # rebasing accepts every spelling of the year
    assert rebase(index, "2016-17").equals(rebased)
    assert rebase(index, 2016).equals(rebased)


def test_deflator_is_100_in_2021_22_by_default(index: pl.DataFrame) -> None:
    assert _year_value(index, "2021/22", "gdp_deflator_index") == 100.0
    assert _year_value(index, "2016/17", "gdp_deflator_index") == pytest.approx(INDEX_2016_17, rel=1e-12)


def test_forecast_years_are_chained_from_the_percentage_changes(index: pl.DataFrame) -> None:
    # 2022/23: 100 x (1 + 5.683492112408195 / 100) = 105.683492112...
    expected_2022 = 100 * (1 + CHANGE_2022_23 / 100)
    assert _year_value(index, "2022/23", "gdp_deflator_index") == pytest.approx(expected_2022, rel=1e-12)
    # 2023/24: 105.683492... x (1 + 2.5246453... / 100) = 108.35162...
    expected_2023 = expected_2022 * (1 + CHANGE_2023_24 / 100)
    assert _year_value(index, "2023/24", "gdp_deflator_index") == pytest.approx(expected_2023, rel=1e-12)
    assert _year_value(index, "2022/23", "is_chained") is True
    assert _year_value(index, "2022/23", "is_forecast") is True
    assert _year_value(index, "2021/22", "is_chained") is False
    assert _year_value(index, "2021/22", "is_forecast") is False


def test_chained_flag_marks_exactly_the_years_without_a_published_index(
    project: Path, index: pl.DataFrame
) -> None:
    with (project / "data" / "raw" / "gdp_deflator.csv").open(encoding="utf-8", newline="") as fh:
        unpublished = {r["financial_year"] for r in csv.DictReader(fh) if r["gdp_deflator_index"] == ""}
    assert unpublished, "the edition should have forecast years with no index"
    chained = set(index.filter(pl.col("is_chained"))["financial_year"])
    assert chained == unpublished
    years = [FinancialYear.parse(y) for y in index["financial_year"]]
    assert all(b - a == 1 for a, b in pairwise(years))


def test_year_outside_the_deflator_gives_an_empty_value(index: pl.DataFrame) -> None:
    first = FinancialYear.parse(index["financial_year"].min())
    last = FinancialYear.parse(index["financial_year"].max())
    cash = pl.DataFrame(
        {
            "financial_year": [str(first.previous()), "2016/17", str(last.next())],
            "spend_gbp_m": [10.0, 10.0, 10.0],
        }
    )
    real = to_real_terms(cash, "spend_gbp_m", index=index)["spend_gbp_m_real_2021_22"]
    assert real[0] is None
    assert real[1] is not None
    assert real[2] is None
    assert real.is_nan().sum() == 0


def test_to_real_terms_keeps_rows_and_order(index: pl.DataFrame) -> None:
    cash = pl.DataFrame({"year": ["2020/21", "2012/13", "2020/21"], "spend_gbp_m": [1.0, 2.0, None]})
    real = to_real_terms(cash, "spend_gbp_m", year="year", index=index)
    assert real.columns == ["year", "spend_gbp_m", "spend_gbp_m_real_2021_22"]
    assert real["year"].to_list() == cash["year"].to_list()
    assert real["spend_gbp_m"].to_list() == [1.0, 2.0, None]
    assert real["spend_gbp_m_real_2021_22"][2] is None


def test_to_real_terms_loads_the_deflator_from_the_root(project: Path, index: pl.DataFrame) -> None:
    cash = pl.DataFrame({"financial_year": ["2016/17"], "spend_gbp_m": [100.0]})
    assert to_real_terms(cash, "spend_gbp_m", root=project).equals(
        to_real_terms(cash, "spend_gbp_m", index=index)
    )


def test_to_real_terms_names_missing_columns(index: pl.DataFrame) -> None:
    cash = pl.DataFrame({"financial_year": ["2016/17"], "spend_gbp_m": [100.0]})
    with pytest.raises(KeyError, match="spend_gbp_bn"):
        to_real_terms(cash, "spend_gbp_bn", index=index)


def test_rebase_to_a_year_the_edition_lacks_is_refused(index: pl.DataFrame) -> None:
    with pytest.raises(FigureInputError, match="1990/91"):
        rebase(index, "1990/91")


def test_real_column_name() -> None:
    assert real_column_name("spend_gbp_m") == "spend_gbp_m_real_2021_22"
    assert real_column_name("spend_gbp_m", "1999-2000") == "spend_gbp_m_real_1999_00"


# ---- chain_index on hand-made tables --------------------------------------------------------


def _raw(rows: list[tuple[str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "financial_year": [r[0] for r in rows],
            "gdp_deflator_index": [r[1] for r in rows],
            "gdp_deflator_change_pct": [r[2] for r in rows],
            "is_forecast": [r[1] is None for r in rows],
            "source_id": ["s"] * len(rows),
        },
        schema={
            "financial_year": pl.String,
            "gdp_deflator_index": pl.Float64,
            "gdp_deflator_change_pct": pl.Float64,
            "is_forecast": pl.Boolean,
            "source_id": pl.String,
        },
    )


def test_chain_index_by_hand() -> None:
    chained = chain_index(
        _raw(
            [
                ("2020/21", 50.0, None),
                ("2021/22", 80.0, 60.0),
                ("2022/23", None, 10.0),
                ("2023/24", None, -50.0),
            ]
        )
    )
    # 2022/23: 80 x 1.10 = 88; 2023/24: 88 x 0.50 = 44
    assert chained["gdp_deflator_index"].to_list() == pytest.approx([50.0, 80.0, 88.0, 44.0])
    assert chained["is_chained"].to_list() == [False, False, True, True]


def test_chain_index_refuses_a_missing_year() -> None:
    with pytest.raises(FigureInputError, match=r"after 2020/21 \(next row is 2022/23\)"):
        chain_index(_raw([("2020/21", 90.0, None), ("2022/23", 100.0, None)]))


def test_chain_index_refuses_a_gap_between_published_values() -> None:
    with pytest.raises(FigureInputError, match="2021/22"):
        chain_index(_raw([("2020/21", 90.0, None), ("2021/22", None, 5.0), ("2022/23", 100.0, None)]))


def test_chain_index_refuses_a_forecast_year_with_no_change() -> None:
    with pytest.raises(FigureInputError, match="2022/23"):
        chain_index(_raw([("2021/22", 100.0, None), ("2022/23", None, None)]))


# ---- properties ----------------------------------------------------------------------------


@st.composite
def index_tables(draw: st.DrawFn) -> tuple[pl.DataFrame, str, str]:
    """A deflator table over consecutive years, 100 in its own base year, and another year."""
    first = draw(st.integers(min_value=1950, max_value=2100))
    values = draw(st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=2, max_size=15))
    years = [str(FinancialYear(first + i)) for i in range(len(values))]
    base_i = draw(st.integers(min_value=0, max_value=len(values) - 1))
    other_i = draw(st.integers(min_value=0, max_value=len(values) - 1))
    scaled = [v * 100.0 / values[base_i] for v in values]
    scaled[base_i] = 100.0
    table = pl.DataFrame(
        {
            "financial_year": years,
            "gdp_deflator_index": scaled,
            "is_forecast": [False] * len(years),
            "is_chained": [False] * len(years),
            "source_id": ["s"] * len(years),
        }
    )
    return table, years[base_i], years[other_i]


@given(index_tables())
@settings(max_examples=60, deadline=None)
def test_rebase_there_and_back_returns_the_input(case: tuple[pl.DataFrame, str, str]) -> None:
    table, base, other = case
    back = rebase(rebase(table, other), base)
    assert back["financial_year"].to_list() == table["financial_year"].to_list()
    assert back["gdp_deflator_index"].to_list() == pytest.approx(
        table["gdp_deflator_index"].to_list(), rel=1e-9
    )
    assert _year_value(rebase(table, other), other, "gdp_deflator_index") == pytest.approx(100.0, rel=1e-12)


@given(index_tables(), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_two_bases_differ_by_one_constant_factor(
    case: tuple[pl.DataFrame, str, str], data: st.DataObject
) -> None:
    table, base_a, base_b = case
    cash_values = data.draw(
        st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=table.height, max_size=table.height)
    )
    cash = pl.DataFrame({"financial_year": table["financial_year"], "spend_gbp_m": cash_values})
    real_a = to_real_terms(cash, "spend_gbp_m", base=base_a, index=table)[
        real_column_name("spend_gbp_m", base_a)
    ]
    real_b = to_real_terms(cash, "spend_gbp_m", base=base_b, index=table)[
        real_column_name("spend_gbp_m", base_b)
    ]
    index_at = dict(zip(table["financial_year"], table["gdp_deflator_index"], strict=True))
    factor = index_at[base_a] / index_at[base_b]
    ratios = [a / b for a, b in zip(real_a, real_b, strict=True)]
    assert ratios == pytest.approx([factor] * len(ratios), rel=1e-9)


@given(index_tables(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
@settings(max_examples=60, deadline=None)
def test_base_year_value_is_unchanged(case: tuple[pl.DataFrame, str, str], value: float) -> None:
    table, _, other = case
    cash = pl.DataFrame({"financial_year": [other], "spend_gbp_m": [value]})
    real = to_real_terms(cash, "spend_gbp_m", base=other, index=table)[
        real_column_name("spend_gbp_m", other)
    ][0]
    assert math.isclose(real, value, rel_tol=1e-12, abs_tol=1e-9)


# ---- check against the ONS quarterly series -------------------------------------------------


@pytest.mark.shared
@pytest.mark.skipif(not QNA_CSV.is_file(), reason=f"{QNA_CSV} is not beside the checkout")
def test_hmt_index_is_the_financial_year_mean_of_ons_l8gg() -> None:
    with QNA_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    cdid_rows = [r for r in rows if r and r[0] == "CDID"]
    assert len(cdid_rows) == 1
    assert cdid_rows[0].count("L8GG") == 1
    column = cdid_rows[0].index("L8GG")
    quarters = {r[0]: r[column] for r in rows if r and len(r) > column and " Q" in r[0]}

    with (REAL_RAW / "gdp_deflator.csv").open(encoding="utf-8", newline="") as fh:
        published = {r["financial_year"]: r["gdp_deflator_index"] for r in csv.DictReader(fh)}

    outturn = [y for y, v in published.items() if v]  # every year with a published index
    checked = 0
    for year in FinancialYear.range(min(outturn), max(outturn)):
        labels = [
            f"{year.start_year} Q2",
            f"{year.start_year} Q3",
            f"{year.start_year} Q4",
            f"{year.end_year} Q1",
        ]
        # exact decimal arithmetic: a mean ending in ...5 at the fifth decimal (2012/13: 84.06945)
        # is exactly half a unit from the published 4-dp value, which binary floats would blur
        mean = sum((Decimal(quarters[label]) for label in labels), Decimal(0)) / 4
        assert abs(mean - Decimal(published[str(year)])) <= Decimal("0.00005"), (str(year), mean)
        checked += 1
    assert checked == len(outturn) >= 12
