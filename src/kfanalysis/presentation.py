"""Pieces of the book that are generated from the package, never typed by hand.

The book's chapters call these so that the gallery, the data dictionary, the
ledger and the pages of figures not yet rebuilt always match the code
and the data: a renamed column or a new claim shows up in the book on the next
build without anyone editing prose.
"""

from __future__ import annotations

import base64
import hashlib
import html
import posixpath
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kfanalysis.fields import FIELDS, TABLES
from kfanalysis.figures import FIGURES, FigureSpec
from kfanalysis.ledger_view import STATUS_LABELS
from kfanalysis.outputs import chart_png
from kfanalysis.published import summary
from kfanalysis.write import png_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The words a reader sees for each status (one vocabulary, kept in kfanalysis.ledger_view).
STATUS_WORDS = STATUS_LABELS


def chapter_name(spec: FigureSpec) -> str:
    """The book page of a figure: its module name, or figN_planned for a figure not built yet."""
    return spec.module or f"{spec.figure}_planned"


def image_html(figure: Figure | bytes, alt: str, width: str = "100%") -> str:
    """Embed a chart as an <img> with alt text: a Figure, or PNG bytes such as a built chart's."""
    png = figure if isinstance(figure, bytes) else png_bytes(figure)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        f'style="max-width:{width}" class="kf-chart"/>'
    )


def download_href(path_from_chapter: str) -> str:
    """Where the built book serves a file that a chapter offers with the ``{download}`` role.

    Sphinx copies each such file to ``_downloads/<md5 of its path>/<its name>``, the path
    being the one written in the chapter, relative to the book's folder (Sphinx 7's
    ``DownloadFiles``; the tests check this against Sphinx itself). A chapter that offers a
    chart's PNG for download can therefore also link its picture to that same copy.

    Args:
        path_from_chapter: The path as the chapter writes it, e.g. ``../data/processed/x.png``.
    """
    normalised = posixpath.normpath(path_from_chapter)
    digest = hashlib.md5(normalised.encode(), usedforsecurity=False).hexdigest()
    return f"_downloads/{digest}/{posixpath.basename(normalised)}"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def chart_html(name: str, alt: str, root: Path | str | None = None) -> str:
    """A built chart as the book shows it: the picture, linked to the full-size PNG.

    The picture fills the content column; on a phone its text is small, so the picture and
    a line under it both open the PNG at its full size (the file the chapter offers for
    download, so nothing is stored twice).

    Args:
        name: The chart's name in data/processed, without ``.png`` ("fig7_vacancies").
        alt: Text description of the chart for screen readers.
        root: Project root; found from the working directory if omitted.
    """
    png = chart_png(name, root)
    href = html.escape(download_href(f"../data/processed/{name}.png"), quote=True)
    width, height = png_size(png)
    return (
        f'<a href="{href}" class="kf-chart-link">{image_html(png, alt)}</a>'
        f'<p class="kf-chart-full"><a href="{href}">Open the chart at full size '
        f"({width:,} by {height:,} pixels)</a></p>"
    )


def status_line(ledger: pl.DataFrame) -> str:
    """'3 reproduced, 1 differs, 0 missing input' for a set of ledger rows."""
    counts = summary(ledger)
    return ", ".join(f"{counts[k]} {word}" for k, word in STATUS_WORDS.items())


def gallery_html(ledger: pl.DataFrame, thumbnails: dict[str, Figure | bytes]) -> str:
    """Cards for the seven figures: title, status of their published numbers, link, thumbnail.

    Args:
        ledger: The full ledger.
        thumbnails: Charts of the built figures (Figures or PNG bytes), keyed by figure id ("fig7").
    """
    cards = []
    for spec in FIGURES:
        rows = ledger.filter(pl.col("figure") == spec.figure)
        link = f"{chapter_name(spec)}.html"
        number = spec.figure[3:]
        if spec.figure in thumbnails:
            picture = image_html(thumbnails[spec.figure], f"Thumbnail of Figure {number}: {spec.title}")
        else:
            picture = '<div class="kf-placeholder">Not rebuilt yet: inputs still being sourced</div>'
        built = {
            "yes": "Rebuilt",
            "partly": "Rebuilt in part",
            "awaiting files": "Ready to build: awaiting the official files",
            "not yet": "Not rebuilt yet",
        }[spec.built_label_given(rows["status"].to_list())]
        cards.append(
            f'<a class="kf-card" href="{link}"><div class="kf-card-title">Figure {number}: '
            f"{html.escape(spec.title)}</div>{picture}"
            f'<div class="kf-card-built">{built}</div>'
            f'<div class="kf-card-status">{html.escape(status_line(rows))}</div></a>'
        )
    return '<div class="kf-gallery">' + "".join(cards) + "</div>"


def data_dictionary() -> pl.DataFrame:
    """Every column of every table: type, unit, allowed values and meaning, from kfanalysis.fields."""
    rows = []
    for table in TABLES.values():
        for column in table.columns:
            field = FIELDS[column]
            rows.append(
                {
                    "table": table.name,
                    "where": "data/raw" if table.is_raw else "data/processed",
                    "column": column,
                    "type": field.dtype,
                    "unit": field.unit or "",
                    "may_be_empty": "yes" if column in table.nullable else "no",
                    "key": "yes" if column in table.key else "",
                    "allowed": field.rule(),
                    "description": field.description,
                }
            )
    return pl.DataFrame(rows)


def dictionary_html() -> str:
    """The data dictionary for readers: one section per table, each a short table of its columns.

    Each section says where the table lives, what a row is and which columns identify a
    row; its table gives each column's label, unit and meaning, with the column's name
    beneath the label for anyone reading the CSV.
    """
    contents = []
    sections = []
    for table in TABLES.values():
        where = f"data/{'raw' if table.is_raw else 'processed'}/{table.filename}"
        anchor = f"table-{table.name.replace('_', '-')}"
        contents.append(f'<a href="#{anchor}">{html.escape(table.name)}</a>')
        rows = []
        for column in table.columns:
            field = FIELDS[column]
            notes = []
            if column in table.key:
                notes.append("identifies the row")
            if column in table.nullable:
                notes.append("may be empty")
            extra = f" <em>({'; '.join(notes)})</em>" if notes else ""
            rows.append(
                f"<tr><td>{html.escape(field.heading())}<br/><code>{html.escape(column)}</code></td>"
                f"<td>{html.escape(field.unit or '')}</td>"
                f"<td>{html.escape(field.description)}{extra}</td></tr>"
            )
        sections.append(
            f'<section id="{anchor}"><h2>{html.escape(table.name)}</h2>'
            f'<p><span class="kf-where">{html.escape(where)}</span>. {html.escape(table.description)}</p>'
            '<table class="kf-claims kf-dict-table"><colgroup><col style="width:28%"/>'
            '<col style="width:14%"/><col style="width:58%"/></colgroup>'
            "<thead><tr><th>Column</th><th>Unit</th><th>Meaning</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    return '<div class="kf-dict"><p>Tables: ' + " · ".join(contents) + "</p>" + "".join(sections) + "</div>"


def ledger_page_html(ledger: pl.DataFrame, root: Path | str | None = None) -> str:
    """The reproduction ledger page: summary, status bar, filter and a compact table per figure."""
    from kfanalysis.ledger_view import ledger_html, publication_places

    titles = {spec.figure: (spec.title, f"{chapter_name(spec)}.html") for spec in FIGURES}
    return ledger_html(ledger, titles, publication_places(root))


def claims_html(ledger: pl.DataFrame, root: Path | str | None = None) -> str:
    """One chapter's published numbers as the ledger shows them: claim, published, ours, status, why."""
    from kfanalysis.ledger_view import claims_table, publication_places

    return claims_table(ledger, publication_places(root))


def tables_overview() -> pl.DataFrame:
    """One row per table: where it lives, its key and what a row is."""
    return pl.DataFrame(
        [
            {
                "table": t.name,
                "file": f"{'data/raw' if t.is_raw else 'data/processed'}/{t.filename}",
                "key": ", ".join(t.key),
                "description": t.description,
            }
            for t in TABLES.values()
        ]
    )


def planned_figure(figure: str) -> FigureSpec:
    """The spec of a figure that is not built yet (raises if it is built)."""
    for spec in FIGURES:
        if spec.figure == figure:
            if spec.is_built:
                raise ValueError(f"{figure} is built; its chapter is {spec.module}")
            return spec
    raise KeyError(figure)


def planned_chapter_html(figure: str, ledger: pl.DataFrame) -> str:
    """The page of a figure not rebuilt yet: what it will need, and its claims, all missing input."""
    spec = planned_figure(figure)
    rows = ledger.filter(pl.col("figure") == figure)
    return (
        f"<p><strong>Not rebuilt yet.</strong> This figure ({html.escape(spec.title)}) will be rebuilt "
        "from the official series below once they are in the data. Until then each of its published "
        "numbers is recorded as a missing input: nothing is estimated in its place.</p>"
        f"<p><strong>Official inputs it needs:</strong> {html.escape(spec.planned_inputs)}.</p>"
        f"<p><strong>Published numbers it will test</strong> ({html.escape(status_line(rows))}):</p>"
        + claims_html(rows)
    )


def sources_html(source_ids: list[str], root: Path | str | None = None) -> str:
    """A list of the publications behind a figure, each linked to its official page.

    Args:
        source_ids: The ``source_id`` values the figure's table or inputs name.
        root: Project root; found from the working directory if omitted.
    """
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources

    sources = read_sources(project_paths(root))
    items = []
    for sid in sorted(set(source_ids)):
        source = sources[sid]
        items.append(
            f'<li><a href="{html.escape(source.url, quote=True)}">{html.escape(source.title)}</a>, '
            f"{html.escape(source.publisher)}, {html.escape(source.edition)} "
            f"(<code>{html.escape(sid)}</code>)</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def figure_source_ids(figure: str, root: Path | str | None = None) -> list[str]:
    """Every source_id a built figure draws on: those named in the raw tables it declares it reads."""
    from kfanalysis.figures import figure_spec
    from kfanalysis.loader import load

    ids: list[str] = []
    for name in figure_spec(figure).load_module().INPUTS:
        frame = load(name, root)
        if "source_id" in frame.columns:  # published_numbers cites report pages, not sources
            ids.extend(frame["source_id"].to_list())
    return sorted(set(ids))


def status_table(ledger: pl.DataFrame) -> str:
    """A Markdown table of each report figure and the status of its published numbers.

    The README carries this table between marker comments; a test keeps it in step
    with the ledger. Reproduced (recomputed) and confirmed (found as quoted) are
    separate columns: they are different kinds of evidence.
    """
    header = (
        "| Figure | Subject | Built | " + " | ".join(w.capitalize() for w in STATUS_WORDS.values()) + " |"
    )
    lines = [header, "|---|---|---|" + "---|" * len(STATUS_WORDS)]
    for spec in FIGURES:
        counts = summary(ledger.filter(pl.col("figure") == spec.figure))
        cells = " | ".join(str(counts[k]) for k in STATUS_WORDS)
        label = spec.built_label_given(ledger.filter(pl.col("figure") == spec.figure)["status"].to_list())
        lines.append(f"| {spec.figure[3:]} | {spec.title} | {label} | {cells} |")
    return "\n".join(lines) + "\n"


def caption_html(figure: str) -> str:
    """The report's caption of a figure, quoted, and a short table of how ours maps onto it.

    Every figure chapter opens with this, so a reader sees at once where our
    period, measure, geography or sources differ from the report's and what is
    still missing.
    """
    from kfanalysis.captions import caption_mapping
    from kfanalysis.tables import to_html

    mapping = caption_mapping(figure)
    rows = [{**row, "report": row["report"] or None} for row in mapping.rows()]
    table = pl.DataFrame(rows, schema={"aspect": pl.String, "report": pl.String, "ours": pl.String})
    number = figure[3:]
    return (
        f'<blockquote class="kf-caption"><p>Figure {number} of the report: '
        f"\u201c{html.escape(mapping.caption)}\u201d</p></blockquote>"
        + to_html(table.rename({"report": "the report's figure", "ours": "this rebuild"}))
    )


def needed_files_html(root: Path | str | None = None) -> str:
    """The NHS trust accounts files Figures 2 and 3 need, each with its page, file and what it gives.

    Read from ``kfanalysis.trust_types`` and sources.toml, so the book names exactly the files the
    ledger's reason names.
    """
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources
    from kfanalysis.trust_types import NEEDED_FILES

    sources = read_sources(project_paths(root))
    items = []
    for needed in NEEDED_FILES:
        source = sources[needed.source_id]
        file = (
            f'<a href="{html.escape(source.file_url, quote=True)}">the file</a>'
            if source.file_url
            else "file address not found: download it from the page"
        )
        items.append(
            f"<li><strong>{html.escape(needed.title)}</strong> ({html.escape(source.publisher)}; gives "
            f"{html.escape(needed.gives)}): "
            f'<a href="{html.escape(source.url, quote=True)}">publication page</a>, {file}; '
            f"edition <code>{html.escape(needed.source_id)}</code></li>"
        )
    return "<ul>" + "".join(items) + "</ul>"
