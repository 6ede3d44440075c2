"""HTML tables for the book: formatting of numbers, gaps, headings and reading order."""

from __future__ import annotations

import polars as pl
import pytest

from kfanalysis.fields import FIELDS
from kfanalysis.tables import MISSING, format_value, heading, reading_order, to_html


def test_format_value() -> None:
    assert format_value(110000.0) == "110,000"
    assert format_value(920547.9452054794) == "920,548"
    assert format_value(9.9) == "9.9"
    assert format_value(100.69720001) == "100.697"
    assert format_value(1234567) == "1,234,567"
    assert format_value(None) == MISSING
    assert format_value(float("nan")) == MISSING
    assert format_value(True) == "yes"
    assert format_value("2021/22") == "2021/22"


def test_hashes_are_left_to_the_sources_page() -> None:
    shown = format_value("tables.xlsx @ fbf29ba2b7a92b6760b7a4ac59dd173ea9d6f995")
    assert "fbf29ba" not in shown and shown.startswith("tables.xlsx @ ")


def test_every_field_has_a_plain_label() -> None:
    unlabelled = [name for name, field in FIELDS.items() if not field.label]
    assert not unlabelled
    assert all("_" not in field.label for field in FIELDS.values())
    assert heading("vacancy_rate_pct") == ("Vacancy rate", "%")


def test_reading_order_puts_chosen_columns_first_and_citations_last() -> None:
    columns = ["source_id", "financial_year", "note", "vacancy_rate_pct", "sector"]
    assert reading_order(columns, first=["vacancy_rate_pct"]) == [
        "vacancy_rate_pct", "financial_year", "sector", "source_id", "note"
    ]
    with pytest.raises(KeyError, match="not_a_column"):
        reading_order(columns, first=["not_a_column"])


def test_to_html_labels_escapes_aligns_and_scrolls() -> None:
    frame = pl.DataFrame(
        {"sector": ["<b>x</b>", "y"], "vacancy_rate_pct": [1.5, None]},
        schema={"sector": pl.String, "vacancy_rate_pct": pl.Float64},
    )
    out = to_html(frame, caption="A & B")
    assert out.startswith('<div class="kf-scroll"') and out.endswith("</table></div>")
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out
    assert "<caption>A &amp; B</caption>" in out
    assert '>Vacancy rate<span class="kf-unit">%</span></th>' in out
    assert "vacancy_rate_pct</th>" not in out
    assert out.count('class="kf-num"') == 3  # header + two cells
    assert f">{MISSING}</td>" in out


def test_the_data_dictionary_has_one_short_table_per_table() -> None:
    from kfanalysis.fields import TABLES
    from kfanalysis.presentation import dictionary_html

    page = dictionary_html()
    assert page.count("<section ") == len(TABLES)
    assert page.count("<thead><tr><th>Column</th><th>Unit</th><th>Meaning</th></tr></thead>") == len(TABLES)
    # where a table lives is said once per table, not on every row
    assert page.count('"kf-where">data/raw/') == sum(t.is_raw for t in TABLES.values())
    assert ">Vacancy rate<br/><code>vacancy_rate_pct</code>" in page
