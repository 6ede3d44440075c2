"""Chart pieces every figure shares: gaps that stay gaps, shaded periods, a source line.

Keeping them in one place keeps the figures consistent (the same shading for
"after the report's period" everywhere) and keeps each figure module about its
own data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Style of the band marking years after the report's period.
NEWER_STYLE: dict[str, Any] = {"color": "0.85", "zorder": 0, "hatch": "//", "fill": False}


def with_gaps(values: Sequence[float | int | None]) -> list[float]:
    """Replace missing values by NaN, so a line breaks at a gap instead of bridging it."""
    return [float("nan") if v is None else float(v) for v in values]


def shade(axes: Axes, flags: Sequence[bool], label: str, **style: Any) -> None:
    """Shade the span of x positions whose flag is true (one band from first to last), if any."""
    marked = [i for i, flag in enumerate(flags) if flag]
    if marked:
        axes.axvspan(min(marked) - 0.5, max(marked) + 0.5, label=label, **style)


def shade_newer_years(axes: Axes, flags: Sequence[bool]) -> None:
    """Mark the years this project adds beyond the report's period."""
    shade(axes, flags, "After the report's period", **NEWER_STYLE)


def add_source_line(figure: Figure, text: str) -> None:
    """Write the sources under the chart, where a reader of a printed page expects them."""
    figure.text(0.01, -0.02, text, fontsize=7.5)
