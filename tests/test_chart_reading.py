"""Charts a reader can read and trust at a glance.

Every chart's text reads at the book's small print when the chart fills the content
column; its title states the finding, generated from its table (change the table and
the title changes); and the report's own value is marked, read from
published_numbers.csv, on each chart that tests one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from matplotlib.figure import Figure
from PIL import Image

from kfanalysis.charts import (
    MIN_TEXT_PX,
    finding_of,
    finish,
    label_problems,
    mark_report,
    report_labels,
    report_values,
    shown_px,
    small_text,
)
from kfanalysis.figures import FIGURES, figure_spec
from kfanalysis.presentation import chart_html, download_href, png_size
from kfanalysis.published import published_numbers

REPO_ROOT = Path(__file__).resolve().parents[1]

BUILT = [s for s in FIGURES if s.is_built]


@pytest.fixture(scope="module")
def charts() -> dict[str, tuple[object, pl.DataFrame, Figure]]:
    """Each built figure's module, table and chart, drawn once for the module's tests."""
    drawn = {}
    for spec in BUILT:
        module = spec.load_module()
        table = module.build()
        drawn[spec.figure] = (module, table, module.plot(table))
    return drawn


# --- (a) text no smaller than the body's small print at the column's width


def test_the_size_check_finds_text_too_small_for_the_column() -> None:
    figure = Figure(figsize=(10, 4))
    axes = figure.subplots()
    axes.text(0.5, 0.5, "tiny", fontsize=6)
    axes.tick_params(labelsize=20)
    axes.set_title("large enough", fontsize=20)
    problems = small_text(figure)
    assert len(problems) == 1 and "'tiny'" in problems[0]


def test_finish_raises_every_text_to_the_small_print() -> None:
    figure = Figure(figsize=(12, 4))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], label="a line")
    axes.legend(fontsize=6)
    axes.set_xlabel("x", fontsize=6)
    finish(figure, "A made-up finding for the test")
    assert small_text(figure) == []


def test_a_wider_chart_shows_the_same_text_smaller() -> None:
    narrow, wide = Figure(figsize=(6, 4)), Figure(figsize=(12, 4))
    for figure in (narrow, wide):
        figure.subplots().text(0.1, 0.5, "same text", fontsize=10)
        figure.draw_without_rendering()
    assert shown_px(wide, 10) < shown_px(narrow, 10)


@pytest.mark.parametrize("figure_id", [s.figure for s in BUILT])
def test_every_chart_reads_at_the_column_width(figure_id: str, charts) -> None:  # type: ignore[no-untyped-def]
    _, _, figure = charts[figure_id]
    assert small_text(figure) == [], f"{figure_id}: text under {MIN_TEXT_PX} px in the book's column"


@pytest.mark.parametrize("figure_id", [s.figure for s in BUILT])
def test_no_two_tick_labels_overlap(figure_id: str, charts) -> None:  # type: ignore[no-untyped-def]
    # Larger text needs room: names on two lines, fewer ticks, rotated years.
    _, _, figure = charts[figure_id]
    figure.draw_without_rendering()
    renderer = figure._get_renderer()
    for number, axes in enumerate(figure.axes, start=1):
        for ticks in (axes.get_xticklabels(), axes.get_yticklabels()):
            # Rotated labels are skipped: their upright boxes overlap although the text does not.
            shown = [t for t in ticks if t.get_visible() and t.get_text() and t.get_rotation() == 0]
            boxes = [t.get_window_extent(renderer) for t in shown]
            for i, box in enumerate(boxes):
                for other in boxes[i + 1 :]:
                    assert not box.overlaps(other), f"{figure_id} panel {number}: tick labels overlap"


# --- (b) a title that states the finding, generated from the table


@pytest.mark.parametrize("figure_id", [s.figure for s in BUILT])
def test_every_chart_is_titled_with_its_finding(figure_id: str, charts) -> None:  # type: ignore[no-untyped-def]
    module, table, figure = charts[figure_id]
    assert finding_of(figure) == module.finding(table)
    assert re.search(r"\d", finding_of(figure)), "a finding states its numbers"


def _row(table: pl.DataFrame, **equal: object) -> dict[str, object]:
    condition = pl.lit(True)
    for column, value in equal.items():
        condition = condition & (pl.col(column) == value)
    return table.filter(condition).row(0, named=True)


def _set(table: pl.DataFrame, column: str, value: float, **equal: object) -> pl.DataFrame:
    """The table with one cell changed (a made-up value, for the test only)."""
    condition = pl.lit(True)
    for name, match in equal.items():
        condition = condition & (pl.col(name) == match)
    return table.with_columns(
        pl.when(condition)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .cast(table.schema[column])
        .alias(column)
    )


def test_figure_7_title_states_the_rates_of_its_first_and_last_years(charts) -> None:  # type: ignore[no-untyped-def]
    _, table, figure = charts["fig7"]
    first, last = _row(table, financial_year="2012/13"), _row(table, financial_year="2022/23")
    title = finding_of(figure)
    assert f"from {first['vacancy_rate_pct']:.1f}% to {last['vacancy_rate_pct']:.1f}%" in title
    assert f"from {first['unemployment_rate_pct']:.1f}% to {last['unemployment_rate_pct']:.1f}%" in title


def test_figure_7_title_says_what_changed_after_the_report(charts) -> None:  # type: ignore[no-untyped-def]
    module, table, figure = charts["fig7"]
    newest = table.filter(
        pl.col("is_newer_than_report")
        & pl.col("vacancy_rate_pct").is_not_null()
        & pl.col("unemployment_rate_pct").is_not_null()
    ).sort("financial_year").row(-1, named=True)
    assert (
        f"by {newest['financial_year']} vacancies had fallen to {newest['vacancy_rate_pct']:.1f}% and "
        f"unemployment had risen to {newest['unemployment_rate_pct']:.1f}%"
    ) in finding_of(figure)
    # Made up: a newest vacancy rate above 2022/23's turns the words with the number.
    changed = _set(table, "vacancy_rate_pct", 12.0, financial_year=newest["financial_year"])
    assert "vacancies had risen to 12.0%" in module.finding(changed)
    # With no year after the report, the title keeps to the report's period.
    report_only = table.filter(~pl.col("is_newer_than_report"))
    assert "; by " not in module.finding(report_only)


def test_figure_4_title_states_the_changes_to_the_report_year(charts) -> None:  # type: ignore[no-untyped-def]
    module, table, figure = charts["fig4"]
    row = _row(table, financial_year=module.REPORT_LAST)
    title = finding_of(figure)
    assert f"{abs(row['gce_real_index'] - 100):.1f}%" in title
    assert f"{abs(row['long_term_support_index'] - 100):.1f}%" in title


def test_figure_1_title_states_the_primary_and_community_shares(charts) -> None:  # type: ignore[no-untyped-def]
    module, table, figure = charts["fig1"]
    for year in module.YEARS:
        assert f"{module.primary_and_community_share(table, year):.0f}%" in finding_of(figure)


#: For each figure: a made-up change to its table, and the words the new title must then hold.
CHANGES: dict[str, Callable[[pl.DataFrame], tuple[pl.DataFrame, str]]] = {
    "fig1": lambda t: (
        _set(t, "per_day", 100.0, financial_year="2022/23", setting="general practice"),
        "down from",
    ),
    "fig2": lambda t: (
        _set(t, "share_of_dhsc_rdel_pct", 12.0, financial_year="2021/22", spending_sector="primary care"),
        "rose from 11.3% in 2017/18 to 12.0%",
    ),
    "fig3": lambda t: (
        _set(
            t,
            "growth_pct",
            30.0,
            trust_sector="Acute",
            trust_measure="operating expenditure (EXP0390)",
            money_basis="real terms, 2021/22 prices",
        ),
        "Acute trusts' operating expenditure grew most, +30.0%",
    ),
    "fig4": lambda t: (_set(t, "gce_real_index", 90.0, financial_year="2021/22"), "spent 10.0% less"),
    "fig5": lambda t: (
        _set(t, "annual_growth_pct", 2.0, staff_group="fully qualified GPs", panel="past five years"),
        "fully qualified GPs grew by 2.0% a year",
    ),
    "fig6": lambda t: (
        _set(t, "value", 290000.0, evidence="official count", period_label="Sep 2021"),
        "shrank by",
    ),
    "fig7": lambda t: (_set(t, "vacancy_rate_pct", 3.0, financial_year="2022/23"), "fell from 4.4% to 3.0%"),
}


def test_every_built_figure_has_a_title_change_case() -> None:
    assert set(CHANGES) == {s.figure for s in BUILT}


@pytest.mark.parametrize("figure_id", sorted(CHANGES))
def test_a_changed_table_changes_the_title(figure_id: str, charts) -> None:  # type: ignore[no-untyped-def]
    module, table, _ = charts[figure_id]
    changed, words = CHANGES[figure_id](table)
    assert module.finding(changed) != module.finding(table)
    assert words in module.finding(changed)


def test_the_drawn_title_follows_a_changed_table(charts) -> None:  # type: ignore[no-untyped-def]
    module, table, _ = charts["fig7"]
    changed, words = CHANGES["fig7"](table)
    assert words in finding_of(module.plot(changed))


# --- (c) the report's published value marked, read from published_numbers


def _published(claim_id: str) -> float:
    row = published_numbers().filter(pl.col("claim_id") == claim_id).row(0, named=True)
    return float(row["published_value"])


#: The claims each chart marks, and how its label writes the published value.
MARKED = {
    "fig1": {
        "fig1_gp_appointments_per_day_2022_23": "{:,.0f}",
        "fig1_majority_daily_activity_gp_community": "",
    },
    "fig2": {"fig2_primary_care_spend_2021_22": "£{:.1f}bn", "fig2_primary_care_share_2021_22": "{:.1f}%"},
    "fig4": {
        "fig4_sc360_supported_change_2015_16_2022_23": "{:+.0f}%",
        "fig4_sc360_requests_change_2015_16_2022_23": "{:+.0f}%",
    },
    "fig5": {
        "fig5_consultant_growth_2016_17_2021_22": "{:+.0f}%",
        "fig5_gp_growth_2016_17_2021_22": "{:+.0f}%",
    },
    "fig7": {"fig7_vacancies_2020_21": "{:,.0f}", "fig7_vacancies_2022_23": "{:,.0f}"},
}


@pytest.mark.parametrize("figure_id", sorted(MARKED))
def test_the_report_values_are_marked_on_the_chart(figure_id: str, charts) -> None:  # type: ignore[no-untyped-def]
    _, _, figure = charts[figure_id]
    labels = report_labels(figure)
    assert len(labels) == len(MARKED[figure_id])
    assert all(label.startswith("Report: ") for label in labels)
    for claim_id, form in MARKED[figure_id].items():
        if form:
            shown = form.format(_published(claim_id))
            assert any(shown in label for label in labels), f"{claim_id}: {shown} not in {labels}"


def test_figure_6_marks_nothing_because_it_tests_no_value_it_draws(charts) -> None:  # type: ignore[no-untyped-def]
    # Its claims are all missing inputs: no official series the chart draws tests them.
    assert report_labels(charts["fig6"][2]) == []


def test_report_values_are_read_from_the_published_numbers() -> None:
    claims = ["fig7_vacancies_2022_23", "fig2_primary_care_share_2021_22"]
    assert report_values(claims) == {c: _published(c) for c in claims}


def test_a_changed_published_value_changes_the_mark(raw) -> None:  # type: ignore[no-untyped-def]
    def change(rows: list[list[str]]) -> None:
        column = rows[0].index("published_value")
        for row in rows[1:]:
            if row[0] == "fig7_vacancies_2022_23":
                row[column] = "153000"  # made up, for this test only (a throw-away copy)

    raw.edit("published_numbers", change)
    module = figure_spec("fig7").load_module()
    labels = report_labels(module.plot(module.build(raw.root), root=raw.root))
    # The mark follows the published value; where ours differs, the label says so.
    assert any("Report: 153,000 vacant posts (Skills for Care: 152,000)" in label for label in labels)


def test_a_report_mark_is_labelled_and_clear_of_other_labels() -> None:
    figure = Figure(figsize=(8, 5))
    axes = figure.subplots()
    axes.plot([0, 1, 2], [1, 2, 3], marker="o")
    axes.text(1.05, 2.05, "a label")
    mark_report(axes, 1, 2.2, "made up 2.2")
    finish(figure, "A made-up finding for the test")
    assert report_labels(figure) == ["Report: made up 2.2"]
    assert label_problems(figure) == []


# --- (d) each chart links to itself at full size


def test_the_full_size_link_is_where_sphinx_copies_a_download() -> None:
    sphinx_util = pytest.importorskip("sphinx.util")
    path = "../data/processed/fig7_vacancies.png"
    # The chapter is at the book's top level, so Sphinx keys the file by the path as written.
    assert download_href(path) == "_downloads/" + sphinx_util.DownloadFiles().add_file("fig7_vacancies", path)


def test_a_chart_is_shown_linked_to_its_full_size() -> None:
    png = (REPO_ROOT / "data" / "processed" / "fig7_vacancies.png").read_bytes()
    page = chart_html("fig7_vacancies", "A made-up description")
    href = download_href("../data/processed/fig7_vacancies.png")
    assert re.match(rf'<a href="{href}" [^>]*><img [^>]*alt="A made-up description"', page)
    width, height = png_size(png)
    assert f'<a href="{href}">Open the chart at full size ({width:,} by {height:,} pixels)</a>' in page
    assert (width, height) == Image.open(io.BytesIO(png)).size


@pytest.mark.book
def test_every_chapter_links_its_chart_at_full_size(built_book: Path) -> None:
    for spec in BUILT:
        module = spec.load_module()
        page = (built_book / f"{spec.module}.html").read_text(encoding="utf-8")
        href = download_href(f"../data/processed/{module.TABLE}.png")
        assert f'href="{href}"' in page, spec.figure
        assert (built_book / href).read_bytes() == (
            REPO_ROOT / "data" / "processed" / f"{module.TABLE}.png"
        ).read_bytes()
