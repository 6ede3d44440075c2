"""The book builds offline from fresh, every chapter executes, and no page loads a remote asset."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REMOTE_ASSET = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]+\"", re.I)


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jupyter_book = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
    if not Path(jupyter_book).exists():
        pytest.skip("jupyter-book is not installed (install the 'book' extra)")
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [jupyter_book, "build", str(ROOT / "book"), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out / "_build" / "html"


@pytest.mark.book
def test_every_chapter_is_rendered(built_book: Path) -> None:
    toc = (ROOT / "book" / "_toc.yml").read_text(encoding="utf-8")
    chapters = [*re.findall(r"file:\s*(\S+)", toc), "intro"]
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
