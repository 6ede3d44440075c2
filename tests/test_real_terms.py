"""to_real_terms refuses input it would get wrong, and the deflator comes in two editions.

Each wrong-answer case an analyst met (unfiltered real rows, a real column deflated again,
years it could not read, pandas input, forecast years with no word said) has a test here,
and the June 2023 edition is checked cell by cell against HM Treasury's workbook.
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from conftest import REAL_RAW
from hypothesis import given, settings
from hypothesis import strategies as st
from test_prices import CHANGE_2022_23, CHANGE_2023_24, INDEX_2016_17, index_tables

from kfanalysis.errors import ForecastDeflatorWarning, RealTermsError
from kfanalysis.loader import load
from kfanalysis.prices import (
    EDITIONS,
    deflator,
    real_column_name,
    rebase,
    to_cash_terms,
    to_real_terms,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources" / "round2"
JUNE_WORKBOOK = SHARED / "gdp_deflator_qna_update_2022_2023_06.xlsx"
# June 2023 edition, 2022-23 = 100: cells C69 and C74 of its sheet (hand-copied for the worked examples).
JUNE_2016_17 = 83.7617
JUNE_2021_22 = 93.8523


@pytest.fixture
def index(project: Path) -> pl.DataFrame:
    return deflator(root=project)


def _value(table: pl.DataFrame, year: str, column: str) -> object:
    rows = table.filter(pl.col("financial_year") == year)[column]
    assert rows.len() == 1
    return rows[0]


def _cash(years: list[str], values: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame({"financial_year": years, "spend_gbp_m": values})


# ---- price basis ----------------------------------------------------------------------------


def test_unfiltered_table_with_real_rows_is_refused(project: Path) -> None:
    spending = load("asc_expenditure", project)
    assert set(spending["price_basis"]) - {"cash"}, "the table should hold real-terms rows"
    with pytest.raises(RealTermsError, match=r"not cash.*real terms, 2020/21 prices") as caught:
        to_real_terms(spending, "gross_current_expenditure_gbp_bn", root=project, allow_forecast=True)
    assert "filter(pl.col('price_basis') == 'cash')" in str(caught.value)


def test_cash_rows_of_the_same_table_are_converted(project: Path) -> None:
    spending = load("asc_expenditure", project).filter(pl.col("price_basis") == "cash")
    real = to_real_terms(spending, "gross_current_expenditure_gbp_bn", root=project, allow_forecast=True)
    cash_2016 = _value(spending, "2016/17", "gross_current_expenditure_gbp_bn")
    assert isinstance(cash_2016, float)
    got = _value(real, "2016/17", "gross_current_expenditure_gbp_bn_real_2021_22")
    assert got == pytest.approx(cash_2016 * 100 / INDEX_2016_17, rel=1e-12)


def test_a_basis_column_under_another_name_must_be_named(index: pl.DataFrame) -> None:
    frame = _cash(["2016/17"], [100.0]).with_columns(pl.lit("real").alias("money_basis"))
    with pytest.raises(RealTermsError, match="candidates: money_basis"):
        to_real_terms(frame, "spend_gbp_m", index=index)
    with pytest.raises(RealTermsError, match="not cash"):
        to_real_terms(frame, "spend_gbp_m", index=index, price_basis="money_basis")
    vouched = to_real_terms(frame, "spend_gbp_m", index=index, price_basis=None)
    assert vouched["spend_gbp_m_real_2021_22"][0] == pytest.approx(100 * 100 / INDEX_2016_17)


# ---- already real: refuse, or rebase correctly ---------------------------------------------


def test_a_real_terms_column_is_not_deflated_twice(index: pl.DataFrame) -> None:
    real = to_real_terms(_cash(["2016/17"], [100.0]), "spend_gbp_m", index=index)
    with pytest.raises(RealTermsError, match=r"(?s)real terms at 2021/22 prices.*rebase_real=True"):
        to_real_terms(real, "spend_gbp_m_real_2021_22", base="2016/17", index=index)
    with pytest.raises(RealTermsError, match="from_base"):
        to_real_terms(
            _cash(["2016/17"], [1.0]).rename({"spend_gbp_m": "real_spend"}), "real_spend", index=index
        )


def test_rebasing_a_real_column_moves_it_to_the_new_base(project: Path) -> None:
    # The analyst's case: Figure 4's 2022/23 spending at 2021/22 prices, restated at 2023/24 prices.
    spending = load("asc_expenditure", project).filter(pl.col("price_basis") == "cash")
    cash_2022 = _value(spending, "2022/23", "gross_current_expenditure_gbp_bn")
    assert isinstance(cash_2022, float)
    real = to_real_terms(spending, "gross_current_expenditure_gbp_bn", root=project, allow_forecast=True)
    with pytest.warns(ForecastDeflatorWarning, match="2023/24"):
        again = to_real_terms(
            real,
            "gross_current_expenditure_gbp_bn_real_2021_22",
            base="2023/24",
            root=project,
            rebase_real=True,
        )
    got = _value(again, "2022/23", "gross_current_expenditure_gbp_bn_real_2023_24")
    # At 2023/24 prices a 2022/23 cash value grows by exactly the 2023/24 deflator change.
    assert got == pytest.approx(cash_2022 * (1 + CHANGE_2023_24 / 100), rel=1e-12)
    assert "gross_current_expenditure_gbp_bn_real_2021_22_real_2023_24" not in again.columns


def test_rebase_reads_the_base_from_a_name_with_a_unit_after_it(index: pl.DataFrame) -> None:
    frame = pl.DataFrame({"financial_year": ["2015/16"], "gce_real_2021_22_gbp_bn": [10.0]})
    out = to_real_terms(frame, "gce_real_2021_22_gbp_bn", base="2016/17", index=index, rebase_real=True)
    assert out.columns[-1] == "gce_real_2016_17_gbp_bn"
    assert out["gce_real_2016_17_gbp_bn"][0] == pytest.approx(10.0 * INDEX_2016_17 / 100, rel=1e-12)


def test_an_existing_column_is_not_overwritten(index: pl.DataFrame) -> None:
    frame = _cash(["2016/17"], [1.0]).with_columns(pl.lit(0.0).alias("spend_gbp_m_real_2021_22"))
    with pytest.raises(RealTermsError, match="already in the table"):
        to_real_terms(frame, "spend_gbp_m", index=index)


# ---- years ----------------------------------------------------------------------------------


def test_every_spelling_of_a_year_gives_the_same_value(index: pl.DataFrame) -> None:
    forms = ["2016/17", "2016-17", "2016-2017", "2016/2017"]
    real = to_real_terms(_cash(forms, [100.0] * 4), "spend_gbp_m", index=index)
    assert real["spend_gbp_m_real_2021_22"].to_list() == pytest.approx([100 * 100 / INDEX_2016_17] * 4)
    assert real["financial_year"].to_list() == forms  # the caller's column is left as written
    as_int = pl.DataFrame({"financial_year": [2016], "spend_gbp_m": [100.0]})
    assert to_real_terms(as_int, "spend_gbp_m", index=index)["spend_gbp_m_real_2021_22"][0] == pytest.approx(
        100 * 100 / INDEX_2016_17
    )


@pytest.mark.parametrize("bad", ["16/17", "2016/18", "FY2016", ""])
def test_an_unreadable_year_is_named(index: pl.DataFrame, bad: str) -> None:
    frame = _cash(["2016/17", bad], [1.0, 2.0])
    with pytest.raises(RealTermsError, match=f"row 1, column 'financial_year': {re.escape(repr(bad))}"):
        to_real_terms(frame, "spend_gbp_m", index=index)


def test_an_empty_year_is_named(index: pl.DataFrame) -> None:
    with pytest.raises(RealTermsError, match=r"row 0.*None is not a financial year"):
        to_real_terms(_cash([None], [1.0]), "spend_gbp_m", index=index)  # type: ignore[list-item]


# ---- kinds of table -------------------------------------------------------------------------


def test_pandas_in_pandas_out(index: pl.DataFrame) -> None:
    frame = pd.DataFrame({"financial_year": ["2016/17", "2021/22"], "spend_gbp_m": [100.0, 5.0]})
    out = to_real_terms(frame, "spend_gbp_m", index=index)
    assert isinstance(out, pd.DataFrame)
    assert out["spend_gbp_m_real_2021_22"].tolist() == pytest.approx([100 * 100 / INDEX_2016_17, 5.0])


def test_lazy_in_lazy_out(index: pl.DataFrame) -> None:
    lazy = _cash(["2016/17"], [100.0]).lazy()
    out = to_real_terms(lazy, "spend_gbp_m", index=index)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["spend_gbp_m_real_2021_22"][0] == pytest.approx(100 * 100 / INDEX_2016_17)


def test_other_objects_are_refused_clearly(index: pl.DataFrame) -> None:
    with pytest.raises(
        TypeError, match=r"polars DataFrame or LazyFrame, or a pandas DataFrame, not builtins\.dict"
    ):
        to_real_terms({"financial_year": ["2016/17"]}, "spend_gbp_m", index=index)  # type: ignore[type-var]


# ---- forecasts ------------------------------------------------------------------------------


def test_a_forecast_data_year_warns(index: pl.DataFrame) -> None:
    with pytest.warns(ForecastDeflatorWarning, match=r"year\(s\) 2022/23"):
        to_real_terms(_cash(["2016/17", "2022/23"], [1.0, 1.0]), "spend_gbp_m", index=index)


def test_a_forecast_base_warns(index: pl.DataFrame) -> None:
    with pytest.warns(ForecastDeflatorWarning, match="the base 2024/25"):
        to_real_terms(_cash(["2016/17"], [1.0]), "spend_gbp_m", base="2024/25", index=index)


def test_outturn_only_and_allowed_forecasts_are_silent(index: pl.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_real_terms(_cash(["2016/17", "2020/21"], [1.0, 1.0]), "spend_gbp_m", index=index)
        # a forecast year with no value does not make the result rest on a forecast
        to_real_terms(_cash(["2016/17", "2022/23"], [1.0, None]), "spend_gbp_m", index=index)
        to_real_terms(_cash(["2022/23"], [1.0]), "spend_gbp_m", index=index, allow_forecast=True)


def test_the_june_edition_has_2022_23_as_outturn(project: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_real_terms(_cash(["2022/23"], [1.0]), "spend_gbp_m", root=project, edition="2023-06")


# ---- editions -------------------------------------------------------------------------------


def test_default_edition_is_march_2023(project: Path, index: pl.DataFrame) -> None:
    assert deflator(root=project, edition="2023-03").equals(index)
    assert set(index["source_id"]) == {"hmt_gdp_deflator_2023_03_qna"}


def test_june_edition_rebased_to_2021_22(project: Path) -> None:
    june = deflator(root=project, edition="2023-06")
    assert set(june["source_id"]) == {"hmt_gdp_deflator_2023_06_qna"}
    assert _value(june, "2016/17", "gdp_deflator_index") == pytest.approx(JUNE_2016_17 * 100 / JUNE_2021_22)
    assert _value(june, "2022/23", "gdp_deflator_index") == pytest.approx(100 * 100 / JUNE_2021_22)
    assert _value(june, "2022/23", "is_chained") is False
    assert _value(june, "2023/24", "is_chained") is True
    cash = _cash(["2016/17"], [100.0])
    june_real = to_real_terms(cash, "spend_gbp_m", root=project, edition="2023-06")[
        "spend_gbp_m_real_2021_22"
    ]
    march_real = to_real_terms(cash, "spend_gbp_m", root=project)["spend_gbp_m_real_2021_22"]
    assert june_real[0] == pytest.approx(100 * JUNE_2021_22 / JUNE_2016_17, rel=1e-12)
    assert march_real[0] == pytest.approx(100 * 100 / INDEX_2016_17, rel=1e-12)


def test_editions_differ_where_june_replaced_a_forecast_with_outturn(project: Path) -> None:
    march = deflator(root=project, base="2021/22")
    june = deflator(root=project, base="2021/22", edition="2023-06")
    march_2022 = _value(march, "2022/23", "gdp_deflator_index")
    assert march_2022 == pytest.approx(100 * (1 + CHANGE_2022_23 / 100))
    assert _value(june, "2022/23", "gdp_deflator_index") != pytest.approx(march_2022, rel=1e-3)


def test_unknown_edition_is_refused_with_the_list(project: Path) -> None:
    with pytest.raises(RealTermsError, match=r"(?s)no GDP deflator edition '2023-09'.*'2023-03'.*'2023-06'"):
        deflator(root=project, edition="2023-09")
    with pytest.raises(RealTermsError, match="2023-09"):
        to_real_terms(_cash(["2016/17"], [1.0]), "spend_gbp_m", root=project, edition="2023-09")


def test_index_and_edition_together_are_refused(index: pl.DataFrame) -> None:
    with pytest.raises(RealTermsError, match="not both"):
        to_real_terms(_cash(["2016/17"], [1.0]), "spend_gbp_m", index=index, edition="2023-06")


def test_every_edition_names_a_raw_table_of_its_own() -> None:
    tables = [e.table for e in EDITIONS.values()]
    assert len(set(tables)) == len(tables)
    for table in tables:
        assert (REAL_RAW / f"{table}.csv").is_file()


@pytest.mark.shared
@pytest.mark.skipif(not JUNE_WORKBOOK.is_file(), reason=f"{JUNE_WORKBOOK} is not beside the checkout")
def test_june_edition_matches_hm_treasury_workbook_cell_by_cell() -> None:
    import openpyxl

    sheet = openpyxl.load_workbook(JUNE_WORKBOOK, data_only=True)["30062023 deflator update"]
    cells = {c.coordinate: c.value for row in sheet.iter_rows(min_col=2, max_col=4) for c in row}
    with (REAL_RAW / "gdp_deflator_2023_06.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 23
    for row in rows:
        line = re.search(r"row (\d+)", row["locator"])
        assert line, row["locator"]
        n = line.group(1)
        label = str(cells[f"B{n}"])
        start, end = label.split(" ")[0].split("-")
        assert row["financial_year"] == f"{start}/{end}"
        published_index = cells[f"C{n}"]
        if isinstance(published_index, (int, float)):
            assert float(row["gdp_deflator_index"]) == published_index, row["financial_year"]
            assert row["is_forecast"] == "false"
        else:
            assert published_index == "-" and row["gdp_deflator_index"] == ""
            assert row["is_forecast"] == "true"
        assert float(row["gdp_deflator_change_pct"]) == cells[f"D{n}"], row["financial_year"]


# ---- properties -----------------------------------------------------------------------------


@given(index_tables(), st.data())
@settings(max_examples=60, deadline=None)
def test_rebasing_twice_equals_rebasing_once(
    case: tuple[pl.DataFrame, str, str], data: st.DataObject
) -> None:
    table, first, second = case
    final = data.draw(st.sampled_from(table["financial_year"].to_list()))
    cash = pl.DataFrame(
        {
            "financial_year": table["financial_year"],
            "spend_gbp_m": data.draw(
                st.lists(
                    st.floats(min_value=0.01, max_value=1e6), min_size=table.height, max_size=table.height
                )
            ),
        }
    )
    at_first = to_real_terms(cash, "spend_gbp_m", base=first, index=table, name="real_a")
    via = to_real_terms(
        at_first, "real_a", base=second, index=table, rebase_real=True, from_base=first, name="b"
    )
    twice = to_real_terms(via, "b", base=final, index=table, rebase_real=True, from_base=second, name="c")
    once = to_real_terms(
        at_first, "real_a", base=final, index=table, rebase_real=True, from_base=first, name="c"
    )
    assert twice["c"].to_list() == pytest.approx(once["c"].to_list(), rel=1e-9)
    direct = to_real_terms(cash, "spend_gbp_m", base=final, index=table, name="c")
    assert once["c"].to_list() == pytest.approx(direct["c"].to_list(), rel=1e-9)


@given(index_tables(), st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1))
@settings(max_examples=60, deadline=None)
def test_cash_to_real_to_cash_round_trips(case: tuple[pl.DataFrame, str, str], values: list[float]) -> None:
    table, base, _ = case
    years = [table["financial_year"][i % table.height] for i in range(len(values))]
    cash = pl.DataFrame({"financial_year": years, "spend_gbp_m": values})
    real = to_real_terms(cash, "spend_gbp_m", base=base, index=table)
    back = to_cash_terms(real, real_column_name("spend_gbp_m", base), index=table)
    assert back["spend_gbp_m_cash"].to_list() == pytest.approx(values, rel=1e-9, abs=1e-6)


def test_rebase_of_the_deflator_itself_is_unchanged_by_editions(project: Path) -> None:
    # rebase() is the arithmetic both editions share: the default build's table stays as it was.
    march = deflator(root=project)
    assert rebase(march, "2021/22").equals(march)


def test_editions_side_by_side_restate_at_2021_22() -> None:
    from kfanalysis.deflator_editions import compare_editions

    table = {r["financial_year"]: r for r in compare_editions(root=REAL_RAW.parents[1]).iter_rows(named=True)}
    assert table["2021/22"]["index_2023_03"] == pytest.approx(100)
    assert table["2021/22"]["index_2023_06"] == pytest.approx(100)
    with (REAL_RAW / "gdp_deflator_2023_06.csv").open(encoding="utf-8", newline="") as fh:
        june = {
            r["financial_year"]: float(r["gdp_deflator_index"])
            for r in csv.DictReader(fh)
            if r["gdp_deflator_index"]
        }
    # Rebasing by hand: 2015/16 in the June edition, over its 2021/22, times 100.
    assert table["2015/16"]["index_2023_06"] == pytest.approx(100 * june["2015/16"] / june["2021/22"])
    row = table["2015/16"]
    assert row["difference_pct"] == pytest.approx((row["index_2023_03"] / row["index_2023_06"] - 1) * 100)
    assert not row["is_forecast_in_either"]
    assert table["2023/24"]["is_forecast_in_either"]
