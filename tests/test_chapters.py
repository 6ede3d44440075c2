"""Every figure chapter shows the chart the build committed, not one redrawn while the book builds.

A chart redrawn in the book could differ from data/processed (another library version, another
machine), and the reproduction check compares the committed PNGs only.
"""

from __future__ import annotations

from pathlib import Path

from kfanalysis.figures import built_figures

BOOK = Path(__file__).resolve().parents[1] / "book"


def test_every_built_chapter_shows_the_committed_chart() -> None:
    for spec in built_figures():
        page = (BOOK / f"{spec.module}.md").read_text(encoding="utf-8")
        # chart_html links the committed PNG at full size; image_html(chart_png(...)) shows it inline.
        shown = (f"chart_html({spec.figure}.TABLE", f"chart_png({spec.figure}.TABLE)")
        assert any(form in page for form in shown), spec.figure
        assert f"{spec.figure}.plot(" not in page, spec.figure
