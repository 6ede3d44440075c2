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


#: Where a point's label may go, in points from the point, tried in this order: right and
#: above first (the usual reading position), then the other sides.
LABEL_OFFSETS: tuple[tuple[float, float], ...] = (
    (5, 4),
    (5, -11),
    (-5, 4),
    (-5, -11),
    (0, 8),
    (0, -15),
    (9, -3),
    (-9, -3),
)


def _renderer(figure: Any) -> Any:
    """A renderer to measure text with; a bare Figure (no pyplot) makes one on demand."""
    return figure._get_renderer()


def _box(artist: Any, renderer: Any, pad: float = 0.0) -> tuple[float, float, float, float]:
    extent = artist.get_window_extent(renderer)
    return (extent.x0 - pad, extent.y0 - pad, extent.x1 + pad, extent.y1 + pad)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def place_labels(
    axes: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    avoid: Sequence[Any] = (),
    **style: Any,
) -> list[Any]:
    """Label points so that no label overlaps another, a point, or runs over the frame.

    Each label tries the offsets in `LABEL_OFFSETS` in order and keeps the first that
    is clear; the search is the same on every machine, so the chart is too. A label
    with no clear place keeps the first offset (the check in `label_problems` then
    reports it, so it cannot pass unnoticed).

    Args:
        axes: The axes holding the points.
        xs: The points' x values.
        ys: The points' y values.
        labels: One label per point.
        avoid: Other artists the labels must keep clear of (a legend, a fitted line's label).
        **style: Text style passed to `Axes.annotate` (font size, colour).

    Returns:
        The annotation artists, in the order of the points.
    """
    figure = axes.get_figure()
    assert figure is not None, "the axes must belong to a figure"
    renderer = _renderer(figure)
    frame = _box(axes, renderer, pad=-2.0)
    taken = [_box(a, renderer, pad=2.0) for a in avoid]
    for x, y in zip(xs, ys, strict=True):
        px, py = axes.transData.transform((x, y))
        taken.append((px - 4, py - 4, px + 4, py + 4))
    placed = []
    for x, y, label in zip(xs, ys, labels, strict=True):
        chosen = None
        for dx, dy in LABEL_OFFSETS:
            text = axes.annotate(
                label,
                (x, y),
                textcoords="offset points",
                xytext=(dx, dy),
                ha="left" if dx >= 0 else "right",
                **style,
            )
            box = _box(text, renderer, pad=1.0)
            if _inside(box, frame) and not any(_overlap(box, other) for other in taken):
                chosen = (text, box)
                break
            text.remove()
        if chosen is None:
            dx, dy = LABEL_OFFSETS[0]
            text = axes.annotate(label, (x, y), textcoords="offset points", xytext=(dx, dy), **style)
            chosen = (text, _box(text, renderer, pad=1.0))
        placed.append(chosen[0])
        taken.append(chosen[1])
    return placed


def label_problems(figure: Figure) -> list[str]:
    """Every text inside a chart's axes that overlaps another or runs over the frame.

    Checks the texts and annotations drawn in each axes (value labels, point labels,
    notes) against the axes' frame, each other and the legend. Tick labels, titles and
    axis labels sit outside the frame by design and are not checked.
    """
    figure.draw_without_rendering()
    renderer = _renderer(figure)
    problems = []
    for number, axes in enumerate(figure.axes, start=1):
        frame = _box(axes, renderer, pad=-1.0)
        texts = [t for t in axes.texts if t.get_visible() and t.get_text()]
        boxes = [(t.get_text(), _box(t, renderer)) for t in texts]
        legend = axes.get_legend()
        if legend is not None:
            boxes.append(("the legend", _box(legend, renderer)))
        for i, (name, box) in enumerate(boxes):
            if not axes.axison:  # a panel that only holds a note: its text must stay clear of the others
                if any(_overlap(box, _box(a, renderer)) for a in figure.axes if a.axison):
                    problems.append(f"panel {number}: {name!r} runs into another panel")
                continue
            if not _inside(box, frame):
                problems.append(f"panel {number}: {name!r} runs over or touches the frame")
            for other, other_box in boxes[i + 1 :]:
                if _overlap(box, other_box):
                    problems.append(f"panel {number}: {name!r} overlaps {other!r}")
    return problems


#: Style of the line marking a break in a series (a new source, edition or coverage).
BREAK_STYLE: dict[str, Any] = {"color": "0.25", "linestyle": "--", "linewidth": 1.0, "zorder": 1}


def mark_breaks(axes: Axes, flags: Sequence[bool], label: str) -> None:
    """Draw a dashed line before each run of flagged years, so a break in a series is never hidden.

    A flagged year after an unflagged one starts a new run; the line sits between the two, and the
    legend names what changed.
    """
    starts = [i for i, flag in enumerate(flags) if flag and (i == 0 or not flags[i - 1])]
    for n, i in enumerate(starts):
        axes.axvline(i - 0.5, label=label if n == 0 else None, **BREAK_STYLE)
