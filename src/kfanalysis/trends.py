"""Small statistical fits with honest uncertainty, via statsmodels.

The report's figures are short annual series (five to eleven points), so every
fit here reports its sample size and a confidence interval, and the book states
both next to any estimate. statsmodels is imported inside the functions so that
``import kfanalysis`` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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


def fit_annual_growth(
    years: Sequence[float], values: Sequence[float | None], confidence: float = 0.95
) -> GrowthFit:
    """Fit log(value) = a + b * year and return the growth rate exp(b) - 1 with its interval.

    A log-linear fit uses every year, not just the end points, so one unusual year moves it
    less, and it gives an interval for the rate.
    """
    import math

    pairs = [(t, v) for t, v in zip(years, values, strict=True) if v is not None]
    if any(v <= 0 for _, v in pairs):
        raise ValueError("growth needs positive values")
    line = fit_line([t for t, _ in pairs], [math.log(v) for _, v in pairs], confidence)

    def pct(slope: float) -> float:
        return 100.0 * (math.exp(slope) - 1.0)

    return GrowthFit(pct(line.slope), pct(line.slope_ci_low), pct(line.slope_ci_high), confidence, line.n)


def annual_growth_pct(start: float, end: float, years: float) -> float:
    """Compound annual growth that takes ``start`` to ``end`` in ``years`` years, in per cent."""
    if start <= 0 or years <= 0:
        raise ValueError("annual growth needs a positive start and a positive number of years")
    return 100.0 * ((end / start) ** (1.0 / years) - 1.0)
