"""Small statistical fits with honest uncertainty, via statsmodels.

The report's figures are short annual series (five to eleven points), so every
fit here reports its sample size and a confidence interval, and the book states
both next to any estimate. statsmodels is imported inside the functions so that
``import kfanalysis`` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from kfanalysis.periods import FinancialYear

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl


@dataclass(frozen=True)
class LineFit:
    """Ordinary least squares fit of y = intercept + slope * x.

    Attributes:
        slope: Change in y for one unit of x.
        intercept: y at x = 0.
        slope_ci_low: Lower end of the confidence interval of the slope.
        slope_ci_high: Upper end of the confidence interval of the slope.
        confidence: Confidence level of the interval, e.g. 0.95.
        r_squared: Share of the variance of y the line explains.
        p_value: Two-sided p-value of the slope against zero.
        n: Number of (x, y) pairs used; pairs with a missing value are dropped.
    """

    slope: float
    intercept: float
    slope_ci_low: float
    slope_ci_high: float
    confidence: float
    r_squared: float
    p_value: float
    n: int
    _result: Any = None

    def predict(self, x: Sequence[float]) -> tuple[list[float], list[float], list[float]]:
        """Fitted mean and its confidence band at each x: (mean, low, high)."""
        import numpy as np

        design = np.column_stack([np.ones(len(x)), np.asarray(x, dtype=float)])
        frame = self._result.get_prediction(design).summary_frame(alpha=1 - self.confidence)
        return (frame["mean"].tolist(), frame["mean_ci_lower"].tolist(), frame["mean_ci_upper"].tolist())


def fit_line(x: Sequence[float | None], y: Sequence[float | None], confidence: float = 0.95) -> LineFit:
    """Fit a straight line by OLS, dropping pairs where either value is missing.

    Raises:
        ValueError: If fewer than three complete pairs remain (no interval can be formed).
    """
    import numpy as np
    from statsmodels.regression.linear_model import OLS  # lighter than statsmodels.api

    pairs = [(float(a), float(b)) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    if len(pairs) < 3:
        raise ValueError(
            f"need at least 3 complete (x, y) pairs to fit a line with an interval, got {len(pairs)}"
        )
    xs = np.array([p[0] for p in pairs])
    ys = np.array([p[1] for p in pairs])
    result = OLS(ys, np.column_stack([np.ones(len(xs)), xs])).fit()
    low, high = result.conf_int(alpha=1 - confidence)[1]
    return LineFit(
        slope=float(result.params[1]),
        intercept=float(result.params[0]),
        slope_ci_low=float(low),
        slope_ci_high=float(high),
        confidence=confidence,
        r_squared=float(result.rsquared),
        p_value=float(result.pvalues[1]),
        n=len(pairs),
        _result=result,
    )


def growth_pct(start: float, end: float) -> float:
    """Percentage change from ``start`` to ``end``: 100 x (end / start - 1)."""
    if start == 0:
        raise ZeroDivisionError("growth from a zero start is undefined")
    return 100.0 * (end / start - 1.0)


@dataclass(frozen=True)
class GrowthFit:
    """Compound annual growth estimated by a straight line through the logarithm of a series.

    Attributes:
        annual_growth_pct: Estimated growth per year, in per cent.
        ci_low_pct: Lower end of its confidence interval, in per cent a year.
        ci_high_pct: Upper end of its confidence interval, in per cent a year.
        confidence: Confidence level, e.g. 0.95.
        n: Number of points used.
    """

    annual_growth_pct: float
    ci_low_pct: float
    ci_high_pct: float
    confidence: float
    n: int


@overload
def fit_annual_growth(
    data: pl.DataFrame | pd.DataFrame, values: str, confidence: float = 0.95, *, time: str | None = None
) -> GrowthFit: ...


@overload
def fit_annual_growth(
    data: Sequence[float | str | FinancialYear],
    values: Sequence[float | None],
    confidence: float = 0.95,
    *,
    time: None = None,
) -> GrowthFit: ...


def fit_annual_growth(
    data: pl.DataFrame | pd.DataFrame | Sequence[float | str | FinancialYear],
    values: str | Sequence[float | None],
    confidence: float = 0.95,
    *,
    time: str | None = None,
) -> GrowthFit:
    """Fit log(value) = a + b * year and return the growth rate exp(b) - 1 with its interval.

    A log-linear fit uses every year, not just the end points, so one unusual year moves it
    less, and it gives an interval for the rate.

    Example:
        >>> import polars as pl
        >>> years = ["2019/20", "2020-21", "2021/22"]
        >>> series = pl.DataFrame({"financial_year": years, "staff": [100.0, 110.0, 121.0]})
        >>> round(fit_annual_growth(series, "staff").annual_growth_pct, 6)
        10.0
        >>> round(fit_annual_growth([2019, 2020, 2021], [100.0, 110.0, 121.0]).annual_growth_pct, 6)
        10.0

    Args:
        data: A table (polars or pandas) holding one series, or the times of the points: years
            as numbers (fractions allowed) or financial years in any form
            :meth:`~kfanalysis.periods.FinancialYear.parse` reads.
        values: With a table, the name of the value column; otherwise the values, one per time
            (``None`` for a gap, which is dropped).
        confidence: Confidence level of the interval.
        time: With a table, its time column: financial years, or ISO dates (turned into
            fractional years). By default ``financial_year``, else ``snapshot_date``.

    Raises:
        ValueError: If times and values differ in length, a time repeats (two series mixed:
            filter to one first), a value is not positive, or fewer than three points remain.
    """
    import math

    labels: list[object]
    if isinstance(values, str):
        years, series, labels = _series_from_table(data, values, time)
    else:
        if isinstance(data, str) or not isinstance(data, Sequence):
            raise TypeError(
                "fit_annual_growth(table, 'column') takes a table and a column name, or "
                "fit_annual_growth(years, values) two sequences of equal length"
            )
        if len(data) != len(values):
            raise ValueError(f"got {len(data)} years but {len(values)} values; give one value per year")
        years = [_as_year(t) for t in data]
        series = list(values)
        labels = list(data)
    repeated = sorted({t for t in years if years.count(t) > 1})
    if repeated:
        shown = dict.fromkeys(
            _when(label, t) for t, label in zip(years, labels, strict=True) if t in repeated
        )
        raise ValueError(
            f"{'the times' if len(shown) > 1 else 'the time'} {', '.join(shown)} "
            f"{'appear' if len(shown) > 1 else 'appears'} more than once, so more than one "
            "series is mixed in; filter the table to one series (e.g. one staff group) first"
        )
    pairs = [(t, v) for t, v in zip(years, series, strict=True) if v is not None]
    if any(v <= 0 for _, v in pairs):
        raise ValueError("growth needs positive values")
    line = fit_line([t for t, _ in pairs], [math.log(v) for _, v in pairs], confidence)

    def pct(slope: float) -> float:
        return 100.0 * (math.exp(slope) - 1.0)

    return GrowthFit(pct(line.slope), pct(line.slope_ci_low), pct(line.slope_ci_high), confidence, line.n)


def _as_year(value: float | str | FinancialYear) -> float:
    """A point's time in years: a number as given, a financial year as the year it starts."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(FinancialYear.parse(value).start_year)


def _when(label: object, year: float) -> str:
    """A point's time as people write it: "30 September 2016", "2016/17", "2016", "end of September 2016"."""
    import calendar
    import datetime as dt

    if isinstance(label, str) and len(label) == 10 and label[4] == "-" and label[7] == "-":
        label = dt.date.fromisoformat(label)
    if isinstance(label, dt.date):
        return f"{label.day} {calendar.month_name[label.month]} {label.year}"
    if isinstance(label, (str, FinancialYear)):
        return str(FinancialYear.parse(label))
    whole = int(year // 1)
    months = (year - whole) * 12
    if months == 0:
        return str(whole)
    if abs(months - round(months)) < 1e-6:
        return f"end of {calendar.month_name[round(months)]} {whole}"
    start = dt.date(whole, 1, 1)
    day = start + dt.timedelta(days=int((year - whole) * (dt.date(whole + 1, 1, 1) - start).days))
    return f"{day.day} {calendar.month_name[day.month]} {whole}"


def _series_from_table(
    data: object, value: str, time: str | None
) -> tuple[list[float], list[float | None], list[object]]:
    import polars as pl

    frame = data if isinstance(data, pl.DataFrame) else None
    if frame is None and type(data).__module__.split(".")[0] == "pandas":
        frame = pl.from_pandas(data)
    if frame is None:
        raise TypeError(
            f"expected a polars or pandas DataFrame with a {value!r} column, not {type(data).__name__}"
        )
    if time is None:
        time = next((c for c in ("financial_year", "snapshot_date") if c in frame.columns), None)
        if time is None:
            raise ValueError(
                f"which column holds the time? pass time='<column>' ({', '.join(frame.columns)})"
            )
    missing = [c for c in (value, time) if c not in frame.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table ({', '.join(frame.columns)})")
    times = frame[time].to_list()
    return [_time_of(t, time) for t in times], [None if v is None else float(v) for v in frame[value]], times


def _time_of(value: object, column: str) -> float:
    """Fractional year of a financial year, a year number, or a date (ISO text or date)."""
    import datetime as dt

    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.date):
        start = dt.date(value.year, 1, 1)
        length = (dt.date(value.year + 1, 1, 1) - start).days
        return value.year + (value - start).days / length
    try:
        return _as_year(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"column {column!r}: {value!r} is not a year, financial year or date ({exc})"
        ) from None


def annual_growth_pct(start: float, end: float, years: float) -> float:
    """Compound annual growth that takes ``start`` to ``end`` in ``years`` years, in per cent."""
    if start <= 0 or years <= 0:
        raise ValueError("annual growth needs a positive start and a positive number of years")
    return 100.0 * ((end / start) ** (1.0 / years) - 1.0)
