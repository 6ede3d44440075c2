"""Plain HTML tables of polars frames, for the book.

A polars frame's own notebook view shows dtypes, quotes around text and
"null"; a reader wants the numbers, formatted, with gaps visibly empty. This
renders any table the same way on every page, with no dependency beyond
polars and the standard library.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import polars as pl

MISSING = "\u2013"  # en dash: visibly a gap, not a zero


def format_value(value: object) -> str:
    """Format one cell: thousands separators, trailing zeros dropped, a dash for a gap."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return MISSING
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def to_html(
    frame: pl.DataFrame,
    formats: Mapping[str, Callable[[object], str]] | None = None,
    caption: str | None = None,
) -> str:
    """Render a table as an HTML ``<table>``, numbers right-aligned.

    Args:
        frame: The table.
        formats: Optional per-column formatters that replace :func:`format_value`.
        caption: Optional caption shown above the table.

    Returns:
        HTML text; wrap it in ``IPython.display.HTML`` to show it in a notebook.
    """
    formats = formats or {}
    numeric = {name for name, dtype in frame.schema.items() if dtype.is_numeric()}
    text = {name for name, dtype in frame.schema.items() if dtype == pl.String}

    def attributes(column: str) -> str:
        align = "right" if column in numeric else "left"
        kind = ' class="kf-text"' if column in text else ""
        return f'{kind} style="text-align:{align}"'

    head = "".join(f"<th{attributes(c)}>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.iter_rows(named=True):
        cells = []
        for column, value in row.items():
            shown = formats.get(column, format_value)(value)
            cells.append(f"<td{attributes(column)}>{html.escape(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="kf-table">{caption_html}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
