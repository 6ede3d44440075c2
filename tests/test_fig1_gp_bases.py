"""Figure 1: candidate bases for the report's 876,164 GP appointments a day and its rise of 34,219.

The expected values here are worked out from the raw CSV cells with the csv
module and the standard library's calendar, not with the package's helpers.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor, read_rows

import kfanalysis.figures.fig1_activity as fig1
from kfanalysis.errors import FigureInputError
from kfanalysis.figures import fig1_gp_bases as bases
from kfanalysis.published import Computed

MEASURE = "appointments, all statuses, sum of sub-ICB location files"


def _raw_months(root: Path) -> dict[tuple[int, int], int]:
    """The monthly national totals as written in data/raw/nhs_activity.csv, keyed by (year, month)."""
    rows = read_rows(root, "nhs_activity")
    header = rows[0]
    out = {}
    for row in rows[1:]:
        cell = dict(zip(header, row, strict=True))
        if cell["activity_measure"] == MEASURE:
            year, month = cell["period"].split("-")
            out[int(year), int(month)] = int(cell["activity_count"])
    return out


def _twelve_ending(year: int, month: int) -> list[tuple[int, int]]:
    months = []
    for back in range(11, -1, -1):
        index = year * 12 + (month - 1) - back
        months.append((index // 12, index % 12 + 1))
    return months


def _label(months: list[tuple[int, int]]) -> str:
    (y0, m0), (y1, m1) = months[0], months[-1]
    if m0 == 4:
        return f"{y0}/{str(y0 + 1)[2:]}"
    return f"{calendar.month_abbr[m0]} {y0} to {calendar.month_abbr[m1]} {y1}"


def _days(months: list[tuple[int, int]]) -> int:
    return sum(calendar.monthrange(y, m)[1] for y, m in months)


def _monthly_levels(root: Path) -> dict[str, float]:
    levels = bases.level_bases(root).filter(pl.col("kind") == bases.MONTHLY_SUM)
    return dict(zip(levels["period"], levels["annual_count"], strict=True))


@pytest.fixture
def candidates(project: Path) -> pl.DataFrame:
    return bases.candidate_bases(project)


def test_the_raw_months_cover_april_2018_to_march_2023(project: Path) -> None:
    months = _raw_months(project)
    expected = {(2018, m) for m in range(4, 13)} | {
        (y, m) for y in (2019, 2020, 2021, 2022) for m in range(1, 13)
    }
    assert set(months) == expected | {(2023, 1), (2023, 2), (2023, 3)}


def test_each_window_is_the_sum_of_its_twelve_raw_months(project: Path) -> None:
    raw = _raw_months(project)
    levels = _monthly_levels(project)
    ends = [(2019, 3)] + [(2022, 3)] + [(2022, m) for m in range(4, 13)] + [(2023, m) for m in (1, 2, 3)]
    assert len(levels) == len(ends) == 14
    for year, month in ends:
        months = _twelve_ending(year, month)
        assert levels[_label(months)] == sum(raw[m] for m in months), (year, month)


def test_a_day_divides_by_the_calendar_days_the_window_covers(project: Path) -> None:
    levels = bases.level_bases(project).filter(pl.col("kind") == bases.MONTHLY_SUM)
    for row in levels.iter_rows(named=True):
        assert row["per_day"] == pytest.approx(row["annual_count"] / row["days"])
    july = levels.filter(pl.col("period") == "Jul 2021 to Jun 2022").row(0, named=True)
    assert july["days"] == (date(2022, 7, 1) - date(2021, 7, 1)).days == 365
    # A window holding 29 February has 366 days.
    assert bases.Window.ending("2020-06").days() == 366
    assert _days(_twelve_ending(2020, 6)) == 366


def test_editing_one_raw_month_moves_exactly_the_windows_that_hold_it(project: Path, raw: RawEditor) -> None:
    before = _monthly_levels(project)
    step = 1_000_003

    def bump(rows: list[list[str]]) -> None:
        header = rows[0]
        for row in rows[1:]:
            if row[header.index("activity_measure")] == MEASURE and row[header.index("period")] == "2022-01":
                row[header.index("activity_count")] = str(int(row[header.index("activity_count")]) + step)

    raw.edit("nhs_activity", bump)
    after = _monthly_levels(project)
    moved = {period for period in before if after[period] != before[period]}
    holding = {_label(_twelve_ending(y, m)) for y, m in [(2022, 3)] + [(2022, m) for m in range(4, 13)]}
    assert moved == holding  # windows ending Mar 2022 to Dec 2022 hold January 2022
    for period in moved:
        assert after[period] - before[period] == step
    july = pl.col("period") == "Jul 2021 to Jun 2022"
    edited = bases.candidate_bases(raw.root).filter((pl.col("claim_id") == bases.CLAIM_DAY) & july)
    assert edited["per_day"][0] == pytest.approx((before["Jul 2021 to Jun 2022"] + step) / 365)


def test_the_nearest_basis_to_876164_is_july_2021_to_june_2022(
    project: Path, candidates: pl.DataFrame
) -> None:
    raw = _raw_months(project)
    months = _twelve_ending(2022, 6)
    expected = sum(raw[m] for m in months) / _days(months)
    best = bases.nearest(candidates, bases.CLAIM_DAY)
    assert best["period"] == "Jul 2021 to Jun 2022"
    assert best["per_day"] == pytest.approx(expected)
    assert best["gap_per_day"] == pytest.approx(expected - best["published_value"])
    # Every other window, and every published total, is further away.
    day = candidates.filter(pl.col("claim_id") == bases.CLAIM_DAY)
    assert (day["gap_per_day"].abs() >= abs(best["gap_per_day"])).all()
    assert day.height == 14  # 13 windows (two of them financial years) and the NAO's 2022/23 total


def test_no_published_total_rounds_to_either_claim_so_the_ledger_says_differs(
    project: Path, candidates: pl.DataFrame
) -> None:
    published = candidates.filter(pl.col("kind") == bases.PUBLISHED_TOTAL)
    assert published.height >= 2
    assert not published["rounds_to_claim"].any()
    results = fig1.claims(fig1.build(project))
    for claim_id in (bases.CLAIM_DAY, bases.CLAIM_CHANGE):
        result = results[claim_id]
        assert isinstance(result, Computed)
        rows = candidates.filter(pl.col("claim_id") == claim_id)
        assert not rows["rounds_to_claim"].any()
        # Our ledger value stays the NAO's published basis, which is not within half a unit either.
        assert abs(result.value - rows["published_value"][0]) > 0.5


def test_rounds_to_claim_follows_the_half_unit_rule(candidates: pl.DataFrame) -> None:
    for row in candidates.iter_rows(named=True):
        assert row["rounds_to_claim"] == (abs(row["per_day"] - row["published_value"]) <= 0.5)


def test_change_candidates_are_a_later_level_less_an_earlier_one(
    project: Path, candidates: pl.DataFrame
) -> None:
    levels = bases.level_bases(project)
    per_day = dict(zip(levels["basis"], levels["per_day"], strict=True))
    change = candidates.filter(pl.col("claim_id") == bases.CLAIM_CHANGE)
    assert change.height == 9  # three 2022/23-end candidates, three 2018/19 ones
    for row in change.iter_rows(named=True):
        later, earlier = row["basis"].split(" minus ")
        assert row["per_day"] == pytest.approx(per_day[later] - per_day[earlier])
    best = bases.nearest(candidates, bases.CLAIM_CHANGE)
    assert best["basis"].startswith(
        "NHS Digital monthly totals, all statuses, Jul 2021 to Jun 2022 minus NHS England"
    )
    assert best["within_rounding"] and not best["rounds_to_claim"]


def test_the_ledger_reasons_state_the_nearest_candidates_as_the_table_gives_them(
    project: Path, candidates: pl.DataFrame
) -> None:
    # The reasons are prose: if the data move, this fails and the sentences must be rewritten.
    results = fig1.claims(fig1.build(project))
    for claim_id in (bases.CLAIM_DAY, bases.CLAIM_CHANGE):
        result = results[claim_id]
        assert isinstance(result, Computed)
        best = bases.nearest(candidates, claim_id)
        assert "July 2021 to June 2022" in result.why_differs
        assert f"{best['per_day']:,.0f} a day" in result.why_differs
        assert f"{best['gap_per_day']:,.0f} ({best['gap_pct']:.1g}%) above" in result.why_differs
    change = bases.nearest(candidates, bases.CLAIM_CHANGE)
    assert (
        f"rounding ({change['rounding_per_day']:,.0f} a day either way)"
        in results[bases.CLAIM_CHANGE].why_differs
    )
    fy = candidates.filter((pl.col("claim_id") == bases.CLAIM_DAY) & (pl.col("period") == "2022/23"))
    monthly_fy = fy.filter(pl.col("kind") == bases.MONTHLY_SUM)["per_day"][0]
    assert f"{monthly_fy:,.0f} a day" in results[bases.CLAIM_DAY].why_differs


def test_a_missing_month_stops_the_window_with_a_fix(project: Path, raw: RawEditor) -> None:
    def drop(rows: list[list[str]]) -> None:
        header = rows[0]
        rows[1:] = [
            r
            for r in rows[1:]
            if not (r[header.index("activity_measure")] == MEASURE and r[header.index("period")] == "2021-11")
        ]

    raw.edit("nhs_activity", drop)
    with pytest.raises(FigureInputError, match=r"no .* row for 2021-11.*\n  Fix:"):
        bases.candidate_bases(project)


def test_a_month_given_twice_is_refused(project: Path, raw: RawEditor) -> None:
    def duplicate(rows: list[list[str]]) -> None:
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("activity_measure")] == MEASURE)
        copy = list(row)
        copy[header.index("source_id")] = "nao_unplanned_urgent_care_2023"
        rows.append(copy)

    raw.edit("nhs_activity", duplicate)
    with pytest.raises(FigureInputError, match="more than once for 2018-04"):
        bases.candidate_bases(project)


def test_window_arithmetic() -> None:
    window = bases.Window.ending("2022-06")
    assert window == bases.Window("2021-07", "2022-06")
    assert window.months()[0] == "2021-07" and window.months()[-1] == "2022-06" and len(window.months()) == 12
    assert bases.Window.financial_year("2022/23") == bases.Window.ending("2023-03")
    assert bases.Window.financial_year("2022/23").period() == "2022/23"
    assert window.period() == "Jul 2021 to Jun 2022"


def test_the_ledger_reasons_quote_the_candidate_bases_they_name(project: Path) -> None:
    # The reasons of the two general practice claims quote numbers from the candidate bases; each must
    # equal what candidate_bases gives from data/raw today, so an edit to the raw months cannot leave
    # the reasons quoting numbers that no longer hold.
    candidates = bases.candidate_bases(project)
    results = fig1.claims(fig1.build(project))
    day_reason = results[bases.CLAIM_DAY]
    change_reason = results[bases.CLAIM_CHANGE]
    assert isinstance(day_reason, Computed) and isinstance(change_reason, Computed)

    day = bases.nearest(candidates, bases.CLAIM_DAY)
    assert day["period"] == "Jul 2021 to Jun 2022"
    assert (
        f"{day['per_day']:,.0f} a day, {day['gap_per_day']:,.0f} ({day['gap_pct']:.2f}%) above"
        in day_reason.why_differs
    )
    year = candidates.filter(
        (pl.col("claim_id") == bases.CLAIM_DAY)
        & (pl.col("kind") == bases.MONTHLY_SUM)
        & (pl.col("period") == "2022/23")
    ).row(0, named=True)
    assert f"the financial year 2022/23 on that basis gives {year['per_day']:,.0f} a day" in (
        day_reason.why_differs
    )

    change = bases.nearest(candidates, bases.CLAIM_CHANGE)
    assert change["period"] == "Jul 2021 to Jun 2022 minus 2018/19" and change["within_rounding"]
    assert (
        f"{change['per_day']:,.0f} a day, {change['gap_per_day']:,.0f} ({change['gap_pct']:.1f}%) above"
        in change_reason.why_differs
    )
    assert f"({change['rounding_per_day']:,.0f} a day either way)" in change_reason.why_differs
