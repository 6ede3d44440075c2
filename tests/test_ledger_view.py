"""The ledger as the book shows it: numbers at the published precision, plain claims, every row."""

from __future__ import annotations

import re

import polars as pl
import pytest

from kfanalysis.ledger_view import (
    STATUS_LABELS,
    claims_table,
    format_number,
    ledger_html,
    one_line_why,
    split_claim,
)


def test_numbers_at_published_precision_with_units() -> None:
    assert format_number(920547.9452, "count_per_day", 0) == "920,548 a day"
    assert format_number(14.94, "gbp_bn", 1) == "£14.9bn"
    assert format_number(152345.0, "posts", -3) == "152,000 posts"
    assert format_number(50.0, "pct", 0, "more_than") == "more than 50%"
    assert format_number(2.66, "pct_per_year", 1) == "2.7% a year"
    assert format_number(None, "pct", 0) == "\u2013"
    with pytest.raises(KeyError):
        format_number(1.0, "furlongs", 0)


def test_claim_and_reason_are_cut_to_their_gist() -> None:
    assert split_claim("GP appointments a day (the year is implied)") == (
        "GP appointments a day",
        "the year is implied",
    )
    assert split_claim("No brackets here") == ("No brackets here", "")
    assert one_line_why("the blog was not read; the projection was not found") == "The blog was not read"
    assert one_line_why("found as published (source_x, page 3)") == "Found as published"


def _ledger() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "claim_id": ["a", "b", "c"],
            "figure": ["fig1", "fig1", "fig7"],
            "claim": ["First claim (read as stated)", "Second claim", "Third claim"],
            "period": ["2021/22", "2022/23", "2020/21"],
            "published_value": [14.9, 8.1, 110000.0],
            "unit": ["gbp_bn", "pct", "posts"],
            "comparison": ["rounds_to"] * 3,
            "precision_decimals": [1, 1, -3],
            "ours_value": [17.4, None, 110000.0],
            "status": ["differs", "missing_input", "confirmed"],
            "reason": ["ours is larger; see the chapter", "the input was not found", "found as published"],
            "missing_input": [None, "the accounts for 2015-16", None],
        }
    )


def test_every_row_is_shown_once_with_its_status_and_detail() -> None:
    ledger = _ledger()
    page = ledger_html(ledger, {"fig1": ("Activity", "fig1.html"), "fig7": ("Vacancies", "fig7.html")})
    assert page.count("<tr data-status=") == ledger.height
    assert "3 published numbers" in page
    assert page.count("<details>") == ledger.height
    assert "Input still needed:</strong> the accounts for 2015-16" in page
    assert "How the claim is read:</strong> read as stated" in page
    assert 'href="fig7.html">Figure 7: Vacancies' in page
    for status in ("differs", "missing_input", "confirmed"):
        assert f'<span class="kf-status kf-s-{status.replace("_", "-")}"' in page
    assert STATUS_LABELS["confirmed"] == "confirmed as quoted"
    # no identifiers in what a reader sees (outside attributes)
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "missing_input" not in visible and "claim_id" not in visible


def test_claims_table_refuses_an_unknown_status() -> None:
    with pytest.raises(KeyError):
        claims_table(_ledger().with_columns(pl.lit("maybe").alias("status")))


@pytest.mark.outputs
def test_a_real_terms_claim_states_its_status_with_the_other_deflator() -> None:
    from conftest import REPO_ROOT

    from kfanalysis.outputs import read_ledger

    ledger = read_ledger(REPO_ROOT)
    real = ledger.filter(pl.col("status_deflator_2023_06").is_not_null())
    cash = ledger.filter(pl.col("status_deflator_2023_06").is_null())
    assert real.height >= 1
    for row in real.iter_rows(named=True):
        html = claims_table(pl.DataFrame([row], schema=ledger.schema))
        assert "June 2023 deflator" in html
        assert STATUS_LABELS[row["status_deflator_2023_06"]] in html.split("June 2023 deflator")[1]
    assert "June 2023 deflator" not in claims_table(cash)
