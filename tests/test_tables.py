"""HTML tables for the book: formatting of numbers, gaps and text."""

from __future__ import annotations

import polars as pl

from kfanalysis.tables import MISSING, format_value, to_html


def test_format_value() -> None:
    assert format_value(110000.0) == "110,000"
    assert format_value(9.9) == "9.9"
    assert format_value(100.69720001) == "100.6972"
    assert format_value(1234567) == "1,234,567"
    assert format_value(None) == MISSING
    assert format_value(float("nan")) == MISSING
    assert format_value(True) == "yes"
    assert format_value("2021/22") == "2021/22"


def test_to_html_escapes_text_aligns_numbers_and_shows_gaps() -> None:
    frame = pl.DataFrame(
        {"label": ["<b>x</b>", "y"], "value_pct": [1.5, None]},
        schema={"label": pl.String, "value_pct": pl.Float64},
    )
    out = to_html(frame, caption="A & B")
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out
    assert "<caption>A &amp; B</caption>" in out
    assert out.count('style="text-align:right"') == 3  # header + two cells of value_pct
    assert f">{MISSING}</td>" in out
    assert out.count("<tr>") == 3
