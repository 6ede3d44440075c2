"""Candidate bases for Figure 1's general practice numbers, each set beside the report's.

The press release gives 876,164 GP appointments a day, up 34,219 since 2018/19,
and names no source or period. No published 2022/23 total gives 876,164 a
day, so this module tests every basis found instead of picking one:

* published totals: the NAO's reported appointments (2018/19 and 2022/23) and
  NHS England's 2018/19 comparator (see :func:`fig1_activity.gp_hypotheses`);
* sums of NHS Digital's monthly national totals (all appointment statuses, as
  the Health Foundation added up the sub-ICB location files): the financial
  years, and every twelve-month window ending from March 2022 to March 2023,
  since a report written in 2023 may have used "the latest twelve months" of
  some earlier edition.

Each candidate is divided by the calendar days it covers, as the figure does,
and judged by the ledger's half-unit rule. A sum of compilation months is
arithmetic on a secondary copy of the official files, not a published total,
so even an exact match would not make the claim ``reproduced``; the table
says which kind each candidate is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from kfanalysis.errors import FigureInputError
from kfanalysis.figures.fig1_activity import gp_hypotheses
from kfanalysis.loader import load
from kfanalysis.published import status_of, tolerance

#: The two claims the candidates are tested against.
CLAIM_DAY = "fig1_gp_appointments_per_day_2022_23"
CLAIM_CHANGE = "fig1_gp_appointments_per_day_change_2018_19"
#: The monthly national series the windows are summed from (data/raw/nhs_activity.csv).
MONTHLY_MEASURE = "appointments, all statuses, sum of sub-ICB location files"
#: The last month of the first and of the last twelve-month window tested for the 2022/23 end.
WINDOW_ENDS = ("2022-03", "2023-03")
PUBLISHED_TOTAL = "published total"
MONTHLY_SUM = "sum of 12 monthly national totals (compilation)"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Window:
    """Twelve consecutive calendar months, named by their first and last month ("2021-07", "2022-06")."""

    first: str
    last: str

    @classmethod
    def ending(cls, last: str) -> Window:
        """The twelve months that end with ``last``."""
        year, month = _year_month(last)
        start = year * 12 + month - 1 - 11
        return cls(f"{start // 12}-{start % 12 + 1:02d}", last)

    @classmethod
    def financial_year(cls, year: str) -> Window:
        """April to March of a financial year ("2022/23")."""
        start = int(year[:4])
        return cls(f"{start}-04", f"{start + 1}-03")

    def months(self) -> list[str]:
        """The window's months, oldest first, as YYYY-MM."""
        year, month = _year_month(self.first)
        first = year * 12 + month - 1
        return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(first, first + 12)]

    def days(self) -> int:
        """Calendar days covered, from the first day of the first month to the last day of the last."""
        year, month = _year_month(self.first)
        end_year, end_month = _year_month(self.last)
        after = date(end_year + end_month // 12, end_month % 12 + 1, 1)
        return (after - date(year, month, 1)).days

    def label(self) -> str:
        """A reader's name for the window: "Jul 2021 to Jun 2022"."""
        return f"{_month_name(self.first)} to {_month_name(self.last)}"

    def period(self) -> str:
        """The financial year ("2022/23") when the window is April to March, else its label."""
        year, month = _year_month(self.first)
        return f"{year}/{(year + 1) % 100:02d}" if month == 4 else self.label()


def _year_month(period: str) -> tuple[int, int]:
    """Split "2021-07" into (2021, 7)."""
    year, month = period.split("-")
    return int(year), int(month)


def _month_name(period: str) -> str:
    year, month = _year_month(period)
    return f"{_MONTHS[month - 1]} {year}"


def monthly_totals(activity: pl.DataFrame) -> dict[str, int]:
    """The monthly national totals by month (YYYY-MM), refusing a month given twice."""
    rows = activity.filter(pl.col("activity_measure") == MONTHLY_MEASURE)
    twice = rows.group_by("period").len().filter(pl.col("len") > 1)
    if twice.height:
        raise FigureInputError(
            f"data/raw/nhs_activity.csv gives '{MONTHLY_MEASURE}' more than once for "
            f"{', '.join(sorted(twice['period']))}\n  Fix: keep one row per month."
        )
    return dict(zip(rows["period"], rows["activity_count"], strict=True))


def window_total(monthly: dict[str, int], window: Window) -> int:
    """The sum of a window's twelve months; every month must be present.

    Raises:
        FigureInputError: If a month is missing (a window is never scaled up from fewer months).
    """
    absent = [m for m in window.months() if m not in monthly]
    if absent:
        raise FigureInputError(
            f"data/raw/nhs_activity.csv has no '{MONTHLY_MEASURE}' row for {', '.join(absent)}, "
            f"needed for the twelve months {window.label()}\n"
            "  Fix: add the month's national total with its source, or test a window the data cover."
        )
    return sum(monthly[m] for m in window.months())


def windows_tested() -> list[Window]:
    """Every twelve-month window whose last month lies from ``WINDOW_ENDS[0]`` to ``WINDOW_ENDS[1]``."""
    first, last = (_year_month(p) for p in WINDOW_ENDS)
    ends = range(first[0] * 12 + first[1] - 1, last[0] * 12 + last[1])
    return [Window.ending(f"{m // 12}-{m % 12 + 1:02d}") for m in ends]


_LEVEL_SCHEMA = {
    "basis": pl.String,
    "kind": pl.String,
    "period": pl.String,
    "annual_count": pl.Float64,
    "days": pl.Int64,
    "per_day": pl.Float64,
    "rounding_per_day": pl.Float64,
}


def level_bases(root: Path | str | None = None) -> pl.DataFrame:
    """Every candidate yearly level, as a daily average with the slack its own published rounding allows.

    A sum of whole counts has no rounding slack (0); a published total rounded
    to 0.1 million can be out by 50,000 a year either way.
    """
    rows = []
    for r in gp_hypotheses(root).iter_rows(named=True):
        rows.append(
            {
                "basis": r["basis"],
                "kind": PUBLISHED_TOTAL,
                "period": r["financial_year"],
                "annual_count": r["annual_count"],
                "days": r["days_in_year"],
                "per_day": r["per_day"],
                "rounding_per_day": r["per_day_rounding"],
            }
        )
    monthly = monthly_totals(load("nhs_activity", root))
    for window in (Window.financial_year("2018/19"), *windows_tested()):
        rows.append(_monthly_row(monthly, window))
    return pl.DataFrame(rows, schema=_LEVEL_SCHEMA)


def _monthly_row(monthly: dict[str, int], window: Window) -> dict[str, object]:
    total = window_total(monthly, window)
    return {
        "basis": f"NHS Digital monthly totals, all statuses, {window.period()}",
        "kind": MONTHLY_SUM,
        "period": window.period(),
        "annual_count": float(total),
        "days": window.days(),
        "per_day": total / window.days(),
        "rounding_per_day": 0.0,
    }


def candidate_bases(root: Path | str | None = None) -> pl.DataFrame:
    """The report's two general practice numbers against every candidate basis, nearest first.

    For the daily figure, each candidate level for 2022/23 (or a twelve-month
    window near it). For the rise since 2018/19, each of the three 2018/19
    levels taken from each of three later levels: the NAO's 2022/23 total, the
    monthly totals' 2022/23, and the window nearest the daily figure (the
    report's two numbers may rest on different bases). ``rounds_to_claim`` applies the ledger's
    half-unit rule to our value; ``within_rounding`` also allows the slack of
    the candidate's own published rounding, so it says whether the basis is
    *consistent* with the claim, not whether the claim is reproduced.

    Returns:
        One row per claim and basis: claim_id, basis, kind, period, annual_count
        (empty for a difference of two levels), per_day, published_value,
        gap_per_day (ours less theirs), gap_pct, rounding_per_day, rounds_to_claim,
        within_rounding.
    """
    claims = load("published_numbers", root)
    published = dict(zip(claims["claim_id"], claims["published_value"], strict=True))
    precision = dict(zip(claims["claim_id"], claims["precision_decimals"], strict=True))
    comparison = dict(zip(claims["claim_id"], claims["comparison"], strict=True))
    levels = level_bases(root)
    is_2018_19 = pl.col("period") == "2018/19"
    later = levels.filter(~is_2018_19)
    earlier = levels.filter(is_2018_19)

    day = later.select("basis", "kind", "period", "annual_count", "per_day", "rounding_per_day")
    closest_window = day.filter(pl.col("kind") == MONTHLY_SUM).sort(
        (pl.col("per_day") - published[CLAIM_DAY]).abs()
    )["basis"][0]
    ends = later.filter((pl.col("basis") == closest_window) | (pl.col("period") == "2022/23"))
    change = ends.join(earlier, how="cross", suffix="_earlier").select(
        (pl.col("basis") + " minus " + pl.col("basis_earlier")).alias("basis"),
        pl.when(pl.col("kind") == pl.col("kind_earlier"))
        .then(pl.col("kind"))
        .otherwise(pl.lit("mixed: ") + pl.col("kind") + " minus " + pl.col("kind_earlier"))
        .alias("kind"),
        (pl.col("period") + " minus " + pl.col("period_earlier")).alias("period"),
        # A difference of two levels is not a count of appointments.
        pl.lit(None, dtype=pl.Float64).alias("annual_count"),
        (pl.col("per_day") - pl.col("per_day_earlier")).alias("per_day"),
        # Two independently rounded numbers: the slack of each adds up.
        (pl.col("rounding_per_day") + pl.col("rounding_per_day_earlier")).alias("rounding_per_day"),
    )
    frames = []
    for claim_id, frame in ((CLAIM_DAY, day), (CLAIM_CHANGE, change)):
        theirs, digits, rule = published[claim_id], int(precision[claim_id]), comparison[claim_id]
        rounds = [status_of(theirs, rule, digits, ours) == "reproduced" for ours in frame["per_day"]]
        frames.append(
            frame.with_columns(
                pl.lit(claim_id).alias("claim_id"),
                pl.lit(theirs, dtype=pl.Float64).alias("published_value"),
                (pl.col("per_day") - theirs).alias("gap_per_day"),
                (100 * (pl.col("per_day") / theirs - 1)).alias("gap_pct"),
                pl.Series("rounds_to_claim", rounds, dtype=pl.Boolean),
                ((pl.col("per_day") - theirs).abs() <= pl.col("rounding_per_day") + tolerance(digits)).alias(
                    "within_rounding"
                ),
            ).sort(pl.col("gap_per_day").abs())
        )
    return pl.concat(frames).select(
        "claim_id",
        "basis",
        "kind",
        "period",
        "annual_count",
        "per_day",
        "published_value",
        "gap_per_day",
        "gap_pct",
        "rounding_per_day",
        "rounds_to_claim",
        "within_rounding",
    )


def nearest(candidates: pl.DataFrame, claim_id: str) -> dict[str, object]:
    """The candidate closest to a claim (the table is sorted nearest first within each claim)."""
    return candidates.filter(pl.col("claim_id") == claim_id).row(0, named=True)
