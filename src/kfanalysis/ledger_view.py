"""The ledger as a reader takes it in: a summary, a bar of statuses, and compact tables.

The ledger table itself (``data/processed/ledger.csv``) keeps every column for
anyone who wants to check it. A reader of the book wants something else: what
each number says, in words; the published number and ours side by side, both
at the precision the report used and with their units; whether it held up;
and in one line why. The full reason, where the number was published and
what input is missing sit behind an expandable detail, so the page stays
short enough to read at a glance.

The status filter is plain HTML and CSS (radio buttons and ``:has``): no
script and no network, so the page works offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from kfanalysis.published import published_numbers, summary

#: Status keys in reading order, with the words a reader sees.
STATUS_LABELS = {
    "reproduced": "reproduced",
    "confirmed": "confirmed as quoted",
    "differs": "differs",
    "missing_input": "missing input",
}
#: What each status means, for the filter's tooltips and the legend.
STATUS_MEANINGS = {
    "reproduced": "recomputed from inputs that do not contain it, and ours rounds to it",
    "confirmed": "quoted from another publication and found there as published",
    "differs": "recomputed, but ours does not round to it",
    "missing_input": "an official input is not in the data yet",
}
_UNITS = {
    "count": ("", ""),
    "count_per_day": ("", " a day"),
    "posts": ("", " posts"),
    "pct": ("", "%"),
    "pct_per_year": ("", "% a year"),
    "gbp_bn": ("£", "bn"),
}
_COMPARISON_WORDS = {"rounds_to": "", "more_than": "more than ", "less_than": "less than "}


def css_class(status: str) -> str:
    """The CSS class that colours a status label ("kf-s-missing-input")."""
    return "kf-s-" + status.replace("_", "-")


def format_number(value: float | None, unit: str, decimals: int, comparison: str = "rounds_to") -> str:
    """A ledger number at the published precision with its unit: "£14.9bn", "more than 50%".

    Args:
        value: The number, or None for a gap (shown as a dash).
        unit: The ledger's unit ("pct", "gbp_bn", "count_per_day", ...).
        decimals: Decimal places published; negative rounds to tens, hundreds, thousands.
        comparison: "rounds_to", "more_than" or "less_than"; the last two are said in words.

    Raises:
        KeyError: If the unit is not one the ledger uses, so a new unit is not shown bare.
    """
    if value is None or value != value:
        return "\u2013"
    before, after = _UNITS[unit]
    shown = round(value, decimals)
    number = f"{shown:,.{decimals}f}" if decimals > 0 else f"{shown:,.0f}"
    return f"{_COMPARISON_WORDS.get(comparison, '')}{before}{number}{after}"


def split_claim(claim: str) -> tuple[str, str]:
    """The claim in a few words, and the qualification that followed it in brackets.

    Claims are written "what is claimed (how it is read and tested)"; the first part is
    what a reader scans, the second belongs with the detail.
    """
    match = re.match(r"^(.*?)\s*\((.*)\)\s*$", claim, flags=re.S)
    if match and match.group(1):
        return match.group(1), match.group(2)
    return claim, ""


def one_line_why(reason: str) -> str:
    """The first clause of a reason, capitalised: the gist, with the rest in the detail."""
    gist = re.split(r";\s|\.\s|\s\(", reason.strip(), maxsplit=1)[0].rstrip(".")
    return gist[:1].upper() + gist[1:]


def _detail(row: Mapping[str, object], published_in: Mapping[str, str]) -> str:
    _, qualification = split_claim(str(row["claim"]))
    reason = str(row["reason"]).rstrip(".")
    parts = [f"<p>{html.escape(reason[:1].upper() + reason[1:])}.</p>"]
    if qualification:
        parts.append(f"<p><strong>How the claim is read:</strong> {html.escape(qualification)}.</p>")
    where = published_in.get(str(row["claim_id"]))
    if where:
        parts.append(f"<p><strong>Published in:</strong> {html.escape(where)}.</p>")
    if row.get("missing_input"):
        parts.append(f"<p><strong>Input still needed:</strong> {html.escape(str(row['missing_input']))}.</p>")
    other = row.get("status_deflator_2023_06")
    if other:
        value = format_number(
            row.get("ours_value_deflator_2023_06"),  # type: ignore[arg-type]
            str(row["unit"]),
            int(row["precision_decimals"]),  # type: ignore[call-overload]
        )
        same = "the same status" if other == row["status"] else "a different status"
        parts.append(
            f"<p><strong>With HM Treasury's June 2023 deflator:</strong> ours {value}, "
            f"{html.escape(STATUS_LABELS[str(other)])} ({same}).</p>"
        )
    return "".join(parts)


def publication_places(root: Path | str | None = None) -> dict[str, str]:
    """Where each claim was published ("press release, 13 February 2024, third paragraph"), by claim id."""
    table = published_numbers(root)
    return {
        row["claim_id"]: ", ".join(p for p in (row["published_in"], row["locator"]) if p)
        for row in table.iter_rows(named=True)
    }


def claims_table(ledger: pl.DataFrame, published_in: Mapping[str, str] | None = None) -> str:
    """One compact table of claims: claim, published, ours, status, and why (expandable).

    Args:
        ledger: Ledger rows, usually one figure's.
        published_in: Where each claim was published, by claim id, shown in the detail.
    """
    published_in = published_in or {}
    rows = []
    for row in ledger.iter_rows(named=True):
        short, _ = split_claim(row["claim"])
        decimals = int(row["precision_decimals"])
        status = row["status"]
        theirs = format_number(row["published_value"], row["unit"], decimals, row["comparison"])
        ours = format_number(row["ours_value"], row["unit"], decimals)
        # The period under the claim, unless the claim already says it.
        shown_period = "" if row["period"] in short else row["period"]
        period = f'<span class="kf-period">{html.escape(shown_period)}</span>' if shown_period else ""
        gist = html.escape(one_line_why(row["reason"]))
        rows.append(
            f'<tr data-status="{status}">'
            f'<td class="kf-claim" data-label="Claim">{html.escape(short)}{period}</td>'
            f'<td class="kf-num" data-label="Published">{theirs}</td>'
            f'<td class="kf-num" data-label="Ours">{ours}</td>'
            f'<td class="kf-state" data-label="Status"><span class="kf-status {css_class(status)}" '
            f'title="{html.escape(STATUS_MEANINGS[status])}">{STATUS_LABELS[status]}</span></td>'
            f'<td class="kf-why" data-label="Why"><details><summary><span class="kf-gist">{gist}</span>'
            "</summary>"
            f"{_detail(row, published_in)}</details></td></tr>"
        )
    return (
        '<table class="kf-claims"><colgroup><col class="kf-c-claim"/><col class="kf-c-num"/>'
        '<col class="kf-c-num"/><col class="kf-c-status"/><col class="kf-c-why"/></colgroup>'
        "<thead><tr><th>Claim</th><th>Published</th><th>Ours</th><th>Status</th><th>Why</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def status_bar(ledger: pl.DataFrame) -> str:
    """A bar split by status, each part exactly as wide as its share of the claims, with a legend.

    The counts are written in the legend beneath the bar, not inside its parts: a part for one
    claim in forty is too narrow to hold a number on a phone, and a clipped "11" reads as "1".
    """
    counts = summary(ledger)
    total = sum(counts[s] for s in STATUS_LABELS) or 1
    parts = [
        f'<span class="{css_class(s)}" style="width:{100 * counts[s] / total:.3f}%" '
        f'title="{counts[s]} {html.escape(STATUS_LABELS[s])}"></span>'
        for s in STATUS_LABELS
        if counts[s]
    ]
    words = ", ".join(f"{counts[s]} {STATUS_LABELS[s]}" for s in STATUS_LABELS)
    legend = "".join(
        f'<li><span class="kf-swatch {css_class(s)}"></span>{counts[s]} {html.escape(STATUS_LABELS[s])}</li>'
        for s in STATUS_LABELS
        if counts[s]
    )
    return (
        f'<div class="kf-statusbar" role="img" aria-label="{words}">{"".join(parts)}</div>'
        f'<ul class="kf-statuslegend" aria-hidden="true">{legend}</ul>'
    )


def _filter(counts: Mapping[str, int]) -> str:
    choices = [
        '<label><input type="radio" name="kf-filter" value="all" checked/> all</label>',
        *(
            f'<label><input type="radio" name="kf-filter" value="{s}"/> '
            f'<span class="kf-status {css_class(s)}">{STATUS_LABELS[s]}</span> ({counts[s]})</label>'
            for s in STATUS_LABELS
        ),
    ]
    return '<fieldset class="kf-filter"><legend>Show</legend>' + "".join(choices) + "</fieldset>"


def ledger_html(
    ledger: pl.DataFrame,
    titles: Mapping[str, tuple[str, str]],
    published_in: Mapping[str, str] | None = None,
) -> str:
    """The whole ledger for the book: summary line, status bar, status filter, a table per figure.

    Args:
        ledger: The full ledger.
        titles: For each figure id, its title and the page it is on ("fig7" ->
            ("Social care vacancies", "fig7_vacancies.html")).
        published_in: Where each claim was published, by claim id.
    """
    counts = summary(ledger)
    line = ", ".join(f"<strong>{counts[s]}</strong> {STATUS_LABELS[s]}" for s in STATUS_LABELS)
    groups = []
    present = set(ledger["figure"].to_list())
    # Figures in the order of the report, then any the titles do not know (so none is dropped).
    order = [f for f in titles if f in present] + sorted(present - set(titles))
    for figure in order:
        rows = ledger.filter(pl.col("figure") == figure)
        title, page = titles.get(figure, (figure, "#"))
        groups.append(
            f'<section class="kf-ledger-group"><p class="kf-ledger-figure"><a href="{html.escape(page)}">'
            f"Figure {html.escape(figure[3:])}: {html.escape(title)}</a></p>"
            f"{claims_table(rows, published_in)}</section>"
        )
    return (
        f'<div class="kf-ledger"><p class="kf-ledger-summary">{ledger.height} published numbers: {line}.</p>'
        f"{status_bar(ledger)}{_filter(counts)}{''.join(groups)}</div>"
    )
