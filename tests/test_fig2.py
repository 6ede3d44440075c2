"""Figure 2: spending by destination, and which primary care lines the report may count."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest
from conftest import RawEditor, raw_path

import kfanalysis.figures.fig2_spending as fig2
from kfanalysis.errors import FigureInputError
from kfanalysis.fields import PRIMARY_CARE_LINES, SPENDING_SECTORS
from kfanalysis.loader import load
from kfanalysis.prices import deflator
from kfanalysis.published import Computed, Missing


@pytest.fixture
def table(project: Path) -> pl.DataFrame:
    return fig2.build(project)


def _lines(project: Path, year: str) -> dict[str, float]:
    raw = load("dhsc_spending", project).filter(pl.col("financial_year") == year)
    return dict(zip(raw["spending_line"], raw["spending_gbp_m"], strict=True))


def test_every_destination_appears_each_year(table: pl.DataFrame) -> None:
    for year in table["financial_year"].unique():
        sectors = table.filter(pl.col("financial_year") == year)["spending_sector"].to_list()
        assert sectors == list(SPENDING_SECTORS)


def test_trust_types_without_a_published_total_are_empty_not_zero(table: pl.DataFrame) -> None:
    trusts = table.filter(pl.col("spending_sector").is_in(fig2.TRUST_SECTORS))
    assert trusts.height > 0
    assert trusts["spending_cash_gbp_bn"].null_count() == trusts.height


def test_primary_care_is_the_four_lines_and_its_share_uses_rdel(project: Path, table: pl.DataFrame) -> None:
    for year in table["financial_year"].unique().to_list():
        lines = _lines(project, year)
        total = sum(lines[line] for line in PRIMARY_CARE_LINES)
        assert fig2.value(table, year, "primary care") == pytest.approx(total / 1000)
        share = fig2.value(table, year, "primary care", "share_of_dhsc_rdel_pct")
        assert share == pytest.approx(100 * total / lines["total resource DEL"])


def test_2021_22_prices_equal_cash_in_2021_22_and_deflate_earlier_years(table: pl.DataFrame) -> None:
    found = table.drop_nulls("spending_cash_gbp_bn")
    same = found.filter(pl.col("financial_year") == fig2.REPORT_YEAR)
    assert (same["spending_cash_gbp_bn"] == same["spending_real_2021_22_gbp_bn"]).all()
    earlier = found.filter(pl.col("financial_year") < "2020/21")
    assert (earlier["spending_real_2021_22_gbp_bn"] > earlier["spending_cash_gbp_bn"]).all()


def test_a_year_missing_a_line_is_dropped_not_filled(project: Path, raw: RawEditor) -> None:
    def drop_2018_19_dental(rows: list[list[str]]) -> None:
        header = rows[0]
        year, line = header.index("financial_year"), header.index("spending_line")
        rows[1:] = [
            r
            for r in rows[1:]
            if not (r[year] == "2018/19" and r[line] == "general and personal dental services")
        ]

    raw.edit("dhsc_spending", drop_2018_19_dental)
    years = fig2.build(project)["financial_year"].unique().to_list()
    assert "2018/19" not in years and fig2.REPORT_YEAR in years


def test_the_report_year_is_required(project: Path, raw: RawEditor) -> None:
    def drop_report_year(rows: list[list[str]]) -> None:
        year = rows[0].index("financial_year")
        rows[1:] = [r for r in rows[1:] if r[year] != fig2.REPORT_YEAR]

    raw.edit("dhsc_spending", drop_report_year)
    with pytest.raises(FigureInputError, match=r"lacks a complete 2021/22\n  Fix:"):
        fig2.build(project)


def test_hypotheses_list_every_combination_of_the_lines(project: Path) -> None:
    hypotheses = fig2.primary_care_hypotheses(project)
    assert hypotheses.height == 2 ** len(PRIMARY_CARE_LINES) - 1
    assert hypotheses["lines"].n_unique() == hypotheses.height
    lines = _lines(project, fig2.REPORT_YEAR)
    full = hypotheses.filter(pl.col("n_lines") == len(PRIMARY_CARE_LINES)).row(0, named=True)
    assert full["spending_cash_gbp_bn"] == pytest.approx(
        sum(lines[line] for line in PRIMARY_CARE_LINES) / 1000
    )


def test_claims_compute_what_the_data_allow_and_name_what_is_missing(table: pl.DataFrame) -> None:
    results = fig2.claims(table)
    spend = results["fig2_primary_care_spend_2021_22"]
    share = results["fig2_primary_care_share_2021_22"]
    assert isinstance(spend, Computed) and isinstance(share, Computed)
    assert spend.value == pytest.approx(fig2.value(table, fig2.REPORT_YEAR, "primary care"))
    assert spend.why_differs and share.why_differs
    for claim in ("fig2_primary_care_share_2015_16", "fig2_acute_spend_2021_22"):
        assert isinstance(results[claim], Missing), claim


def _raw_rows(root: Path, name: str) -> list[dict[str, str]]:
    with raw_path(root, name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_public_health_grant_bases_are_worked_from_the_raw_allocations(project: Path) -> None:
    # The cut is measured from the initial 2015/16 allocation; each basis is recomputed here by hand.
    grants = {
        r["financial_year"]: float(r["grant_gbp_bn"]) for r in _raw_rows(project, "public_health_grant")
    }
    index = dict(zip(*deflator(root=project).select("financial_year", "gdp_deflator_index"), strict=True))
    bases = fig2.public_health_grant_bases(project)
    assert set(bases["end_year"]) == {y for y in grants if y >= fig2.REPORT_YEAR}
    for row in bases.iter_rows(named=True):
        ratio = grants[row["end_year"]] / grants["2015/16"]
        if row["basis"] == "real terms":
            ratio *= index["2015/16"] / index[row["end_year"]]
        assert row["grant_fall_pct"] == pytest.approx(100 * (1 - ratio))
    assert set(bases["basis"]) == {"cash", "real terms"}


def test_public_health_grant_claim_names_the_population_input_and_every_basis(project: Path) -> None:
    result = fig2.claims_from_raw(project)["fig2_public_health_grant_cut_since_2015_16"]
    assert isinstance(result, Missing)
    assert "population" in result.missing_input and "England" in result.missing_input
    for row in fig2.public_health_grant_bases(project).iter_rows(named=True):
        assert f"{row['basis']} to {row['end_year']}: {abs(row['grant_fall_pct']):.1f}%" in result.why
    # The Health Foundation's figures are named as a third party's, with their own sources.
    for row in fig2.third_party_grant_estimates(project).iter_rows(named=True):
        assert f"{row['estimate_value']:g}%" in result.why and row["source_id"] in result.why
    assert "third party" in result.why


def test_public_health_grant_without_its_2015_16_allocation_is_refused(project: Path, raw: RawEditor) -> None:
    rows = raw.rows("public_health_grant")
    year = rows[0].index("financial_year")
    raw.write_rows("public_health_grant", [r for r in rows if r[year] != "2015/16"])
    with pytest.raises(FigureInputError, match=r"no 2015/16 allocation"):
        fig2.public_health_grant_bases(project)


def test_alt_text_reads_its_numbers_from_the_table(table: pl.DataFrame) -> None:
    text = fig2.alt_text(table)
    amount = fig2.value(table, fig2.REPORT_YEAR, "primary care")
    assert not math.isnan(amount)
    assert f"£{amount:.1f}bn" in text


def test_two_values_for_one_year_are_refused(project: Path, raw: RawEditor) -> None:
    def duplicate_2021_22(rows: list[list[str]]) -> None:
        header = rows[0]
        original = next(r for r in rows[1:] if r[header.index("financial_year")] == fig2.REPORT_YEAR)
        copy = list(original)
        copy[header.index("source_id")] = "hcws163_2020_03_17"
        rows.append(copy)

    raw.edit("public_health_grant", duplicate_2021_22)
    with pytest.raises(FigureInputError, match=r"public_health_grant.csv gives more than one value"):
        fig2.build(project)


def test_primary_care_reasons_name_every_combination_tried_with_the_same_values(
    project: Path, table: pl.DataFrame
) -> None:
    from_raw = fig2.claims_from_raw(project)
    from_table = fig2.claims(table)
    hypotheses = fig2.primary_care_hypotheses(project)
    for claim, column in (
        ("fig2_primary_care_spend_2021_22", "spending_cash_gbp_bn"),
        ("fig2_primary_care_share_2021_22", "share_of_dhsc_rdel_pct"),
    ):
        richer, plain = from_raw[claim], from_table[claim]
        assert isinstance(richer, Computed) and isinstance(plain, Computed)
        assert richer.value == pytest.approx(plain.value)
        assert f"all {hypotheses.height} combinations" in richer.why_differs
        published = float(_raw_value(project, claim))
        nearest = hypotheses.sort((pl.col(column) - published).abs()).row(0, named=True)
        assert f"{nearest['lines']}, " in richer.why_differs
        assert f"{nearest[column]:.2f}" in richer.why_differs


def _raw_value(root: Path, claim_id: str) -> str:
    rows = [r for r in _raw_rows(root, "published_numbers") if r["claim_id"] == claim_id]
    assert len(rows) == 1
    return rows[0]["published_value"]
