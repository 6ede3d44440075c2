from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kfanalysis.periods import FinancialYear, canonical

# Every year the class accepts; 2199/00 is included because its two-digit end wraps the century.
YEARS = st.integers(min_value=1900, max_value=2199)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2021/22", 2021),
        ("2021-22", 2021),
        ("2021/2022", 2021),
        ("2021-2022", 2021),
        (2021, 2021),
        ("2021", 2021),
        (" 2021/22 ", 2021),
        ("1999/00", 1999),
        ("1999-2000", 1999),
    ],
)
def test_parse_accepts_the_forms_publishers_use(text: str | int, start: int) -> None:
    year = FinancialYear.parse(text)
    assert year.start_year == start
    assert year.end_year == start + 1


def test_parse_returns_a_financial_year_unchanged() -> None:
    year = FinancialYear(2016)
    assert FinancialYear.parse(year) is year


@pytest.mark.parametrize("text", ["2021/23", "2021/21", "2021/2023", "abc", "21/22", "", "2021/", "20212"])
def test_parse_rejects_text_that_is_not_a_financial_year(text: str) -> None:
    with pytest.raises(ValueError):
        FinancialYear.parse(text)


def test_non_consecutive_halves_suggest_the_right_form() -> None:
    with pytest.raises(ValueError, match="2021/22"):
        FinancialYear.parse("2021/23")


@pytest.mark.parametrize("value", [True, 2021.0, None, ["2021/22"]])
def test_parse_rejects_values_of_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        FinancialYear.parse(value)


@pytest.mark.parametrize("start", [1899, 2200, 21, 20212])
def test_years_outside_the_supported_span_are_refused(start: int) -> None:
    with pytest.raises(ValueError):
        FinancialYear(start)


def test_str_is_the_canonical_form() -> None:
    assert str(FinancialYear(2021)) == "2021/22"
    assert str(FinancialYear(1999)) == "1999/00"
    assert str(FinancialYear(2009)) == "2009/10"
    assert canonical("2016-2017") == "2016/17"
    assert repr(FinancialYear(2021)) == "FinancialYear('2021/22')"


def test_ordering_follows_the_start_year() -> None:
    a, b, c = FinancialYear.parse("1999/00"), FinancialYear.parse("2016/17"), FinancialYear.parse("2021-22")
    assert a < b < c
    assert c > a
    assert b <= FinancialYear(2016) <= b
    assert sorted([c, a, b]) == [a, b, c]
    assert max([b, c, a]) == c
    assert FinancialYear(2021) == FinancialYear.parse("2021/2022")
    assert len({FinancialYear(2021), FinancialYear.parse("2021-22")}) == 1


def test_subtraction_gives_whole_years_between() -> None:
    assert FinancialYear.parse("2021/22") - FinancialYear.parse("2016/17") == 5
    assert FinancialYear.parse("2016/17") - FinancialYear.parse("2021/22") == -5
    assert FinancialYear(2000) - FinancialYear(2000) == 0


def test_subtracting_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = FinancialYear(2021) - 2020


def test_range_includes_both_ends() -> None:
    years = FinancialYear.range("2019/20", "2022-23")
    assert [str(y) for y in years] == ["2019/20", "2020/21", "2021/22", "2022/23"]
    assert FinancialYear.range(2021, 2021) == [FinancialYear(2021)]


def test_range_refuses_to_run_backwards() -> None:
    with pytest.raises(ValueError):
        FinancialYear.range("2022/23", "2021/22")


def test_next_previous_and_unpacking() -> None:
    year = FinancialYear.parse("2021/22")
    assert year.next() == FinancialYear(2022)
    assert year.previous() == FinancialYear(2020)
    start, end = year
    assert (start, end) == (2021, 2022)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2021/22", True), ("1999/00", True), ("2021-22", False), ("2021/23", False), ("2021/2022", False)],
)
def test_is_canonical(text: str, expected: bool) -> None:
    assert FinancialYear.is_canonical(text) is expected


@given(YEARS)
def test_str_then_parse_round_trips(start: int) -> None:
    year = FinancialYear(start)
    assert FinancialYear.parse(str(year)) == year
    assert FinancialYear.is_canonical(str(year))


@given(YEARS)
def test_hyphenated_two_digit_form_parses_to_the_same_year(start: int) -> None:
    assert FinancialYear.parse(f"{start}-{(start + 1) % 100:02d}") == FinancialYear(start)


@given(YEARS, YEARS)
def test_subtraction_and_order_agree(a: int, b: int) -> None:
    x, y = FinancialYear(a), FinancialYear(b)
    assert (x - y > 0) == (x > y)
    assert (x - y == 0) == (x == y)
