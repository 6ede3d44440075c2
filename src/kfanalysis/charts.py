"""Chart pieces every figure shares, so every chart reads the same way.

Gaps that stay gaps, shaded periods, a source line, a title that states the finding,
the report's own value marked, and text a reader can read in the book. Keeping them in
one place keeps the figures consistent (the same shading for "after the report's
period" everywhere, the same marker for a published value) and keeps each figure
module about its own data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

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


#: Identifiers (matplotlib ``gid``) of the texts this module adds, so tests and checks can find them.
SOURCE_GID = "kf-source"
FINDING_GID = "kf-finding"
REPORT_GID = "kf-report"


def add_source_line(figure: Figure, text: str) -> None:
    """Write the sources under the chart, where a reader of a printed page expects them.

    The line wraps at the figure's edge, so a long list of sources makes the chart taller,
    never wider (a wider chart is shown smaller in the book's column, and so is its text).
    """
    figure.text(0.01, -0.02, text, fontsize=7.5, va="top", wrap=True, gid=SOURCE_GID)


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
#: Farther places, tried when every near one is taken (points in a tight cluster); a thin
#: leader line then ties the label to its point.
FAR_LABEL_OFFSETS: tuple[tuple[float, float], ...] = (
    (16, 14),
    (16, -22),
    (-16, 14),
    (-16, -22),
    (24, 0),
    (-24, 0),
    (0, 24),
    (0, -30),
    (28, 26),
    (28, -34),
    (-28, 26),
    (-28, -34),
    (40, 40),
    (-40, -46),
    (40, -46),
    (-40, 40),
    (0, 48),
    (0, -54),
    (-60, -30),
    (60, -30),
    (-60, 24),
    (60, 24),
    (-70, -60),
    (70, -60),
)
LEADER_LINE: dict[str, Any] = {
    "arrowstyle": "-",
    "color": "0.45",
    "linewidth": 0.8,
    "shrinkA": 0,
    "shrinkB": 4,
}


def _renderer(figure: Any) -> Any:
    """A renderer to measure text with; a bare Figure (no pyplot) makes one on demand."""
    return figure._get_renderer()


def _box(artist: Any, renderer: Any, pad: float = 0.0) -> tuple[float, float, float, float]:
    from matplotlib.text import Text

    # A label's own box, without its leader line (which by design runs to its point).
    if not isinstance(artist, Text):
        extent = artist.get_window_extent(renderer)
    else:
        if hasattr(artist, "update_positions"):  # an annotation places its text when asked
            artist.update_positions(renderer)
        extent = Text.get_window_extent(artist, renderer)
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
    obstacles: Sequence[tuple[float, float]] = (),
    **style: Any,
) -> list[Any]:
    """Label points so that no label overlaps another, a point, or runs over the frame.

    Each label tries the offsets in `LABEL_OFFSETS` in order, then the farther ones in
    `FAR_LABEL_OFFSETS` (with a leader line), and keeps the first that is clear; the
    search is the same on every machine, so the chart is too. A label
    with no clear place keeps the first offset (the check in `label_problems` then
    reports it, so it cannot pass unnoticed).

    Args:
        axes: The axes holding the points.
        xs: The points' x values.
        ys: The points' y values.
        labels: One label per point.
        avoid: Other artists the labels must keep clear of (a legend, a fitted line's label).
        obstacles: Other data points (x, y) the labels must not cover.
        **style: Text style passed to `Axes.annotate` (font size, colour).

    Returns:
        The annotation artists, in the order of the points.
    """
    figure = axes.get_figure()
    assert figure is not None, "the axes must belong to a figure"
    renderer = _renderer(figure)
    frame = _box(axes, renderer, pad=-2.0)
    taken = [_box(a, renderer, pad=2.0) for a in avoid]
    for x, y in [*zip(xs, ys, strict=True), *obstacles]:
        px, py = axes.transData.transform((x, y))
        taken.append((px - 4, py - 4, px + 4, py + 4))
    placed = []
    near = set(LABEL_OFFSETS)
    for x, y, label in zip(xs, ys, labels, strict=True):
        chosen = None
        for dx, dy in LABEL_OFFSETS + FAR_LABEL_OFFSETS:
            text = axes.annotate(
                label,
                (x, y),
                textcoords="offset points",
                xytext=(dx, dy),
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                arrowprops=None if (dx, dy) in near else LEADER_LINE,
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
            if name != "the legend" and not _inside(box, frame):  # a legend may stand outside
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


#: Width, in CSS pixels, at which the book shows a chart: its content column on a desktop is
#: about 700 to 800 pixels wide, and the image fills it (img.kf-chart is 100% wide).
COLUMN_PX = 720.0
#: The smallest text a chart may show at that width, in CSS pixels: the body's small print.
MIN_TEXT_PX = 12.0
#: Margin ``savefig(bbox_inches="tight")`` adds around the drawn content, in inches.
SAVE_PAD_IN = 0.1
POINTS_PER_INCH = 72.0


def saved_width_in(figure: Figure) -> float:
    """Width of the saved PNG in inches: the drawn content (tight box) plus savefig's margin."""
    renderer = _renderer(figure)
    box = figure.get_tightbbox(renderer)
    assert box is not None, "a figure always has a tight box once drawn"
    return float(box.width) + 2 * SAVE_PAD_IN


def shown_px(figure: Figure, size_pt: float) -> float:
    """How tall text of ``size_pt`` points reads in the book, in CSS pixels at the column's width."""
    return size_pt / POINTS_PER_INCH * COLUMN_PX / saved_width_in(figure)


def _size(text: Text) -> float:
    """A text's size in points (matplotlib resolves named sizes such as 'small' to points)."""
    return float(text.get_fontproperties().get_size_in_points())


def _texts(figure: Figure) -> list[Text]:
    """Every visible, non-empty text of a figure, table cells included (findobj skips them)."""
    from matplotlib.text import Text

    found = [t for t in figure.findobj(Text) if isinstance(t, Text)]
    for axes in figure.axes:
        for table in axes.tables:
            found.extend(cell.get_text() for cell in table.get_celld().values())
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def small_text(figure: Figure) -> list[str]:
    """Every text that reads smaller than ``MIN_TEXT_PX`` when the chart fills the book's column."""
    figure.draw_without_rendering()
    sizes = [(t.get_text(), shown_px(figure, _size(t))) for t in _texts(figure)]
    return [f"{text[:40]!r} reads at {px:.1f} px" for text, px in sizes if px < MIN_TEXT_PX - 1e-6]


def min_font_pt(figure: Figure) -> float:
    """The smallest font size, in points, that reads at ``MIN_TEXT_PX`` in the book's column.

    The saved chart is as wide as its drawn content plus a margin (never narrower than the
    figure itself, which tight layout fills); 3% is added so a relayout cannot push text under.
    """
    figure.draw_without_rendering()
    width = max(saved_width_in(figure), float(figure.get_figwidth()) + 2 * SAVE_PAD_IN)
    return 1.03 * MIN_TEXT_PX * width * POINTS_PER_INCH / COLUMN_PX


def enlarge_small_text(figure: Figure, floor_pt: float) -> None:
    """Raise every text below ``floor_pt`` to it, tick labels included (also ones drawn later)."""
    for axes in figure.axes:
        for axis_name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if not ticks or any(_size(t.label1) < floor_pt for t in ticks):
                axes.tick_params(axis=axis_name, which="both", labelsize=floor_pt)  # type: ignore[arg-type]
    for text in _texts(figure):
        if _size(text) < floor_pt:
            text.set_fontsize(floor_pt)


def set_finding(figure: Figure, finding: str) -> None:
    """Title the whole chart with its finding, in words a reader takes in at a glance."""
    figure.suptitle(finding, x=0.01, ha="left", fontsize=14, fontweight="bold", wrap=True, gid=FINDING_GID)


def change_word(start: float, end: float, up: str = "rose", down: str = "fell", same: str = "held") -> str:
    """The verb for a change from ``start`` to ``end`` as printed (one decimal), for finding titles."""
    if round(end, 1) > round(start, 1):
        return up
    return down if round(end, 1) < round(start, 1) else same


def finding_of(figure: Figure) -> str:
    """The finding a chart's title states ('' if it has none)."""
    title = getattr(figure, "_suptitle", None)
    return "" if title is None else str(title.get_text())


#: Report labels waiting for the final layout, by figure (see ``mark_report`` and ``finish``).
_PENDING: WeakKeyDictionary[Any, list[tuple[Axes, float, float, str, bool]]] = WeakKeyDictionary()


def finish(figure: Figure, finding: str) -> None:
    """Give a chart its finding as title and text a reader can read, lay it out, then place labels.

    Call it last in a figure's ``plot()``: it raises every text below the book's small print
    (see ``MIN_TEXT_PX``) and lays the figure out again, twice, because larger text can change
    the width of the saved chart. The report's values marked with ``mark_report`` are labelled
    only then, so that their places are chosen on the final layout, clear of other labels.
    """
    import numpy as np  # comes with matplotlib, which draws the chart

    set_finding(figure, finding)
    figure.tight_layout()
    for _ in range(2):
        enlarge_small_text(figure, min_font_pt(figure))
        figure.tight_layout()
    floor = min_font_pt(figure)
    for axes, x, y, label, off_bars in _PENDING.pop(figure, []):
        legend = axes.get_legend()
        bars = [p for c in axes.containers for p in c if off_bars and hasattr(p, "get_height")]
        avoid = [t for t in axes.texts if t.get_visible()] + bars + ([legend] if legend is not None else [])
        points = [
            (float(px), float(py))
            for line in axes.get_lines()
            if line.get_marker() not in (None, "None", "", " ")
            # In data units, with categories (years) already turned into positions.
            for px, py in np.asarray(line.get_xydata(), dtype=float)
            if (float(px), float(py)) != (x, y)
        ]
        place_labels(
            axes,
            [x],
            [y],
            [f"Report: {label}"],
            avoid=avoid,
            obstacles=points,
            fontsize=floor,
            fontweight="bold",
            gid=REPORT_GID,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85},
        )


def report_values(claims: Iterable[str], root: Path | str | None = None) -> dict[str, float]:
    """The values the report publishes for a figure's claims, read from published_numbers.csv.

    Args:
        claims: The claim ids the figure tests (the keys of its ``claims(table)``).
        root: Project root; found from the working directory if omitted.
    """
    from kfanalysis.published import published_numbers

    wanted = set(claims)
    table = published_numbers(root)
    return {
        str(row["claim_id"]): float(row["published_value"])
        for row in table.iter_rows(named=True)
        if row["claim_id"] in wanted and row["published_value"] is not None
    }


#: Style of the marker for a value the report publishes: black, hollow, unlike any series.
#: It is a scatter point, not a line, so a panel's lines stay its data series.
REPORT_MARKER: dict[str, Any] = {
    "marker": "D",
    "s": 81,
    "facecolors": "white",
    "edgecolors": "black",
    "linewidths": 1.8,
    "zorder": 5,
}


def mark_report(axes: Axes, x: float, y: float, label: str, off_bars: bool = True) -> None:
    """Mark a value the report publishes on the chart that tests it, labelled "Report: <label>".

    The marker is drawn now; the label is placed by ``finish``, on the final layout.

    Args:
        axes: The panel.
        x: Position of the report's value (data coordinates).
        y: Position of the report's value (data coordinates).
        label: What follows "Report: ", e.g. "876,164 a day".
        off_bars: Keep the label off the panel's bars (so it cannot be read as a bar's own label);
            False where bars fill the panel and the label must sit on one.
    """
    axes.scatter([x], [y], gid=REPORT_GID, **REPORT_MARKER)
    figure = axes.get_figure()
    assert figure is not None, "the axes must belong to a figure"
    _PENDING.setdefault(figure, []).append((axes, x, y, label, off_bars))


def report_labels(figure: Figure) -> list[str]:
    """The texts of every report marker on a chart, for tests and readers' checks."""
    return [t.get_text() for t in _texts(figure) if t.get_gid() == REPORT_GID]
