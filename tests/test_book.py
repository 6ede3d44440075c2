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
