"""The book builds offline from fresh, every chapter executes, and no page loads a remote asset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REMOTE_ASSET = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]+\"", re.I)


@pytest.mark.book
def test_every_chapter_is_rendered(built_book: Path) -> None:
    toc = (ROOT / "book" / "_toc.yml").read_text(encoding="utf-8")
    chapters = [*re.findall(r"file:\s*(\S+)", toc), "index"]
    for chapter in chapters:
        assert (built_book / f"{chapter}.html").is_file(), chapter


@pytest.mark.book
def test_no_page_loads_a_remote_asset(built_book: Path) -> None:
    offenders = {}
    for page in built_book.glob("*.html"):
        hits = REMOTE_ASSET.findall(page.read_text(encoding="utf-8"))
        if hits:
            offenders[page.name] = hits[:3]
    assert not offenders, offenders


@pytest.mark.book
def test_glued_numbers_are_filled_in_and_no_cell_failed(built_book: Path) -> None:
    for page in built_book.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "{glue:" not in text, f"{page.name} has an unresolved glue reference"
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
    chapter = (built_book / "fig7_vacancies.html").read_text(encoding="utf-8")
    assert "110,000" in chapter and "152,000" in chapter


CHAPTERS_WITH_TERMS = (
    "fig1_activity", "fig2_spending", "fig4_social_care", "fig5_doctors", "fig7_vacancies", "methods"
)
IDENTIFIER = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def _prose(page: str) -> str:
    """The paragraphs and list items a reader reads, without code, tables or hidden cells."""
    main = re.search(r"<main\b.*?</main>", page, re.S)
    text = main.group(0) if main else page
    text = re.sub(r"<(script|style|pre|code|table|details|a)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r'<div class="cell_input.*?</div>', " ", text, flags=re.S)
    return " ".join(re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", text, flags=re.S))


@pytest.mark.book
def test_chapters_link_their_terms_to_the_glossary(built_book: Path) -> None:
    for chapter in CHAPTERS_WITH_TERMS:
        page = (built_book / f"{chapter}.html").read_text(encoding="utf-8")
        assert 'href="glossary.html#term-' in page, f"{chapter} links no term to the glossary"


@pytest.mark.book
def test_reader_prose_has_no_identifiers(built_book: Path) -> None:
    # The data dictionary, the guide and the API reference name columns and functions on purpose;
    # the sources page is where identifiers, file hashes and commits belong.
    exempt = {"data.html", "using.html", "api.html", "sources.html", "genindex.html", "search.html"}
    offenders = {}
    for page in built_book.glob("*.html"):
        if page.name in exempt:
            continue
        hits = IDENTIFIER.findall(re.sub(r"<[^>]+>", " ", _prose(page.read_text(encoding="utf-8"))))
        if hits:
            offenders[page.name] = sorted(set(hits))[:5]
    assert not offenders, offenders


@pytest.mark.book
def test_sources_page_counts_values_by_kind_of_reading(built_book: Path) -> None:
    from kfanalysis.readings import counts_by_kind, provenance

    page = (built_book / "sources.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    readings = provenance()
    assert f"Of the {readings.height:,} values" in text
    for kind, count in counts_by_kind(readings).iter_rows():
        assert re.search(rf"{re.escape(kind)} {count:,}\b", text), kind
