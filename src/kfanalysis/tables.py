"""HTML tables of polars frames, for the book, that fit the page they are on.

A polars frame's own notebook view shows dtypes, column names, quotes around
text and "null"; a reader wants plain headings, the unit, the numbers
formatted and gaps visibly empty. Every table is rendered the same way on
every page: headings and units come from the field dictionary
(:mod:`kfanalysis.fields`), the columns that matter come first, and the table
sits in a scroll container whose first column stays in view, so a wide table
never pushes the page sideways. The full table is always offered as CSV
beside it; this view is for reading, not for copying numbers out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence

import polars as pl

from kfanalysis.fields import CITATION_COLUMNS, FIELDS

MISSING = "\u2013"  # en dash: visibly a gap, not a zero
#: A SHA-256 or git commit in a locator: exact for a machine, noise to a reader. The
#: sources page gives each file's fixed version; tables point there instead.
_HASH = re.compile(r"\b(?:[0-9a-f]{64}|[0-9a-f]{40})\b")


def format_value(value: object) -> str:
    """Format one cell: thousands separators, no spurious decimals, a dash for a gap.

    Numbers of a thousand or more are shown whole (a fraction of a post or an
    appointment is noise to a reader); smaller ones keep up to three decimals,
    enough for a deflator index or a rate.
    """
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return MISSING
        if abs(value) >= 1000 or value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return _HASH.sub("(fixed version: see Sources)", str(value))


def heading(column: str) -> tuple[str, str]:
    """The plain label and unit a reader sees for a column, from the field dictionary."""
    field = FIELDS.get(column)
    if field is None:
        return column.replace("_", " ").capitalize(), ""
    return field.heading(), field.unit or ""


def reading_order(columns: Sequence[str], first: Sequence[str] = ()) -> list[str]:
    """Columns in the order a reader wants them: those named first, citations last.

    Args:
        columns: The table's columns.
        first: Columns that matter most, shown first and in this order.

    Raises:
        KeyError: If ``first`` names a column the table does not have.
    """
    unknown = [c for c in first if c not in columns]
    if unknown:
        raise KeyError(f"columns {unknown} are not in the table (it has {list(columns)})")
    rest = [c for c in columns if c not in first and c not in CITATION_COLUMNS]
    citations = [c for c in columns if c in CITATION_COLUMNS and c not in first]
    return [*first, *rest, *citations]


def to_html(
    frame: pl.DataFrame,
    formats: Mapping[str, Callable[[object], str]] | None = None,
    caption: str | None = None,
    first: Sequence[str] = (),
) -> str:
    """Render a table for a reader: plain headings with units, in a scroll container.

    Args:
        frame: The table.
        formats: Optional per-column formatters that replace `format_value`.
        caption: Optional caption shown above the table.
        first: The columns that matter most; they come first, so they are in view
            without scrolling. Citation columns always come last.

    Returns:
        HTML text; wrap it in ``IPython.display.HTML`` to show it in a notebook.
    """
    formats = formats or {}
    order = reading_order(frame.columns, first)
    frame = frame.select(order)
    numeric = {name for name, dtype in frame.schema.items() if dtype.is_numeric()}
    text = {name for name, dtype in frame.schema.items() if dtype == pl.String}

    def kind(column: str) -> str:
        if column in numeric:
            return ' class="kf-num"'
        return ' class="kf-text"' if column in text else ""

    head = []
    for column in frame.columns:
        label, unit = heading(column)
        unit_html = f'<span class="kf-unit">{html.escape(unit)}</span>' if unit else ""
        name = html.escape(column, quote=True)
        head.append(f'<th{kind(column)} title="{name}">{html.escape(label)}{unit_html}</th>')
    body = []
    for row in frame.iter_rows(named=True):
        cells = []
        for column, value in row.items():
            shown = formats.get(column, format_value)(value)
            cells.append(f"<td{kind(column)}>{html.escape(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="kf-scroll" tabindex="0"><table class="kf-table">{caption_html}'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
