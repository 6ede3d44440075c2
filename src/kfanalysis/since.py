"""Since the report: does each figure's statement still hold on the newest official data?

The report stops in 2021/22 or 2022/23; readers today want to know whether what
it says is still true. For each figure this module names the statement the
chart makes, reads its value in the report's last year and in the newest year
the built tables hold, and gives a verdict: ``holds``, ``reversed`` or
``cannot tell`` (with why). It also says, in one sentence, what checking the
figure's published numbers found, from the ledger.

Everything is computed from built tables passed in (the figure tables and the
ledger), so the same function serves the package API, which builds afresh, and
the book, which reads the built outputs. Nothing here reads data/raw or builds.

Verdicts compare like with like: a year flagged as a break in series is never
set against years before the break (Figure 4's activity counts stop at the last
SALT year), and a newest value from an edition with different coverage or on a
forecast deflator year is flagged in the row so no reader mistakes it for a
settled, comparable figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kfanalysis.figures import (
    FIGURES,
    fig1_activity,
    fig2_spending,
    fig3_trust_growth,
    fig4_social_care,
    fig5_doctors,
    fig7_vacancies,
    figure_spec,
    planned_reasons,
)

#: The verdicts a figure can get, in the order a reader meets them.
VERDICTS = ("holds", "reversed", "cannot tell")

#: Columns of the table :func:`compare` returns, with their polars types.
SCHEMA: dict[str, pl.DataType] = {
    "figure": pl.String(),
    "statement": pl.String(),
    "measure": pl.String(),
    "unit": pl.String(),
    "report_period": pl.String(),
    "report_value": pl.Float64(),
    "newest_period": pl.String(),
    "newest_value": pl.Float64(),
    "is_forecast_deflator": pl.Boolean(),
    "is_series_break": pl.Boolean(),
    "verdict": pl.String(),
    "why": pl.String(),
    "checking_found": pl.String(),
    "headline": pl.String(),
}

Tables = dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Comparison:
    """One figure's statement, its value in the report's last year and in the newest year."""

    statement: str
    measure: str
    unit: str
    report_period: str
    report_value: float | None
    newest_period: str | None
    newest_value: float | None
    verdict: str
    why: str
    is_forecast_deflator: bool = False
    is_series_break: bool = False


def _fmt(value: float | None, unit: str) -> str:
    """A value for prose, in the unit the row states."""
    if value is None:
        return "not available"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "index":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _row(table: pl.DataFrame, column: str, value: str) -> dict[str, object]:
    rows = table.filter(pl.col(column) == value)
    if rows.height != 1:
        raise KeyError(f"expected one row with {column} = {value!r}, found {rows.height}")
    return rows.row(0, named=True)


def _newest(table: pl.DataFrame, column: str) -> dict[str, object]:
    """The latest financial year with a value in ``column``."""
    return table.filter(pl.col(column).is_not_null()).sort("financial_year").row(-1, named=True)


def _fig7(tables: Tables) -> Comparison:
    """Vacancy rate rising while unemployment falls: the direction of each since the report's last year."""
    table = tables[fig7_vacancies.TABLE]
    last = str(fig7_vacancies.REPORT_LAST)
    then = _row(table, "financial_year", last)
    now = _newest(table, "vacancy_rate_pct")
    year = str(now["financial_year"])
    vacancy_up = float(now["vacancy_rate_pct"]) > float(then["vacancy_rate_pct"])  # type: ignore[arg-type]
    unemployed_now = now["unemployment_rate_pct"]
    geography = now["geography"] or then["geography"]
    statement = "The adult social care vacancy rate rises while unemployment falls."
    base = dict(
        statement=statement,
        measure="adult social care vacancy rate, England (Skills for Care)",
        unit="%",
        report_period=last,
        report_value=float(then["vacancy_rate_pct"]),  # type: ignore[arg-type]
        newest_period=year,
        newest_value=float(now["vacancy_rate_pct"]),  # type: ignore[arg-type]
        is_series_break=bool(now["is_edition_coverage_change"]),
    )
    if unemployed_now is None or year == last:
        return Comparison(
            **base,  # type: ignore[arg-type]
            verdict="cannot tell",
            why=f"no unemployment rate for {year} is held" if year != last else "no year after the report",
        )
    unemployment_down = float(unemployed_now) < float(then["unemployment_rate_pct"])  # type: ignore[arg-type]
    moves = (
        f"from {last} to {year} the vacancy rate went from {_fmt(base['report_value'], '%')} to "  # type: ignore[arg-type]
        f"{_fmt(base['newest_value'], '%')} and {geography} unemployment (January to March) from "  # type: ignore[arg-type]
        f"{_fmt(float(then['unemployment_rate_pct']), '%')} to {_fmt(float(unemployed_now), '%')}"  # type: ignore[arg-type]
    )
    if vacancy_up and unemployment_down:
        verdict, why = "holds", moves
    elif not vacancy_up and not unemployment_down:
        verdict, why = "reversed", moves
    else:
        verdict, why = (
            "cannot tell",
            moves + ": both moved the same way, so the contrast neither holds nor reverses",
        )
    if base["is_series_break"]:
        like = table.filter(
            (pl.col("financial_year") > last)
            & ~pl.col("is_edition_coverage_change")
            & pl.col("vacancy_rate_pct").is_not_null()
        ).sort("financial_year")
        why += f"; the {year} rate comes from an edition whose coverage differs"
        if like.height:
            comparable = like.row(-1, named=True)
            why += (
                f", and the last comparable year, {comparable['financial_year']}, gives "
                f"{_fmt(float(comparable['vacancy_rate_pct']), '%')}"
            )
    return Comparison(**base, verdict=verdict, why=why)  # type: ignore[arg-type]


def _fig4(tables: Tables) -> Comparison:
    """More real spending than in 2015/16, fewer people supported: each against 2015/16 on the newest data."""
    table = tables[fig4_social_care.TABLE]
    last = fig4_social_care.REPORT_LAST
    then = _row(table, "financial_year", last)
    spend = _newest(table, "gce_real_index")
    # Counts after a break in series are never compared with the SALT years.
    comparable = table.filter(~pl.col("is_activity_series_break"))
    support = _newest(comparable, "long_term_support_index")
    spend_up = float(spend["gce_real_index"]) > 100.0  # type: ignore[arg-type]
    fewer = float(support["long_term_support_index"]) < 100.0  # type: ignore[arg-type]
    why = (
        f"real spending was {_fmt(float(spend['gce_real_index']), 'index')} in {spend['financial_year']} and "  # type: ignore[arg-type]
        f"people receiving long-term support {_fmt(float(support['long_term_support_index']), 'index')} in "  # type: ignore[arg-type]
        f"{support['financial_year']} (2015/16 = 100)"
    )
    breaks = table.filter(pl.col("is_activity_series_break"))
    if breaks.height:
        why += (
            f"; counts from {breaks['financial_year'].to_list()[0]} come from client level data, a break in "
            "series, so the newest comparable count is used"
        )
    if bool(spend["is_deflator_forecast"]):
        why += (
            f"; real terms for {spend['financial_year']} rest on a forecast year of the March 2023 deflator"
        )
    if spend_up and fewer:
        verdict = "holds"
    elif not spend_up and not fewer:
        verdict = "reversed"
    else:
        verdict = "cannot tell"
        why += ": only one half of the statement still holds"
    return Comparison(
        statement="Councils spend more in real terms than in 2015/16, yet fewer people receive long-term "
        "support.",
        measure="councils' real gross current expenditure on adult social care, index 2015/16 = 100",
        unit="index",
        report_period=last,
        report_value=float(then["gce_real_index"]),  # type: ignore[arg-type]
        newest_period=str(spend["financial_year"]),
        newest_value=float(spend["gce_real_index"]),  # type: ignore[arg-type]
        verdict=verdict,
        why=why,
        is_forecast_deflator=bool(spend["is_deflator_forecast"]),
        is_series_break=breaks.height > 0,
    )


def _fig5(tables: Tables) -> Comparison:
    """GPs set against the report's 3,000 more by 2026/27: a number with no stated group or base.

    The report gives no staff group, basis or starting level for its 3,000, so no pace can be
    drawn from it without choosing them; the newest official count is shown beside the past
    five years' rate on the same basis, and the verdict stays "cannot tell".
    """
    table = tables[fig5_doctors.TABLE]
    group = "fully qualified GPs"
    panels = fig5_doctors.PANELS
    past = fig5_doctors.row_of(table, group, panels[0])
    stated = fig5_doctors.row_of(table, group, panels[1])
    since = fig5_doctors.row_of(table, group, panels[3])
    consultants = fig5_doctors.row_of(table, "HCHS consultants", panels[3])
    report_period = str(past["period_label"]).split(" to ")[-1]
    extra = stated["stated_extra_number"]
    base = dict(
        statement=(
            f"GPs must grow faster than in the past: {_fmt(None if extra is None else float(extra), '')} "  # type: ignore[arg-type]
            "more GPs by 2026/27."
        ),
        measure=f"{group}, {past['basis']}, September",
        unit=str(past["basis"]),
        report_period=report_period,
        report_value=float(since["start_number"]),  # type: ignore[arg-type]
    )
    consultant_note = (
        "" if consultants["end_number"] is not None else f"; for consultants, {consultants['gap']}"
    )
    unstated = (
        "the report states its number with no staff group, basis or starting level, so no pace can be "
        "set against the newest count without choosing them"
    )
    if since["end_number"] is None:
        return Comparison(
            **base,  # type: ignore[arg-type]
            newest_period=None,
            newest_value=None,
            verdict="cannot tell",
            why=f"{since['gap']}; {unstated}{consultant_note}",
        )
    newest_period = str(since["period_label"]).split(" to ")[-1].split(" (")[0]
    why = (
        f"{unstated}; from {report_period} to {newest_period} {group} went from "
        f"{_fmt(base['report_value'], '')} to {_fmt(float(since['end_number']), '')} "  # type: ignore[arg-type]
        f"({since['basis']}), {float(since['annual_growth_pct']):+.2f}% a year, against "  # type: ignore[arg-type]
        f"{float(past['annual_growth_pct']):+.2f}% a year in the five years before"  # type: ignore[arg-type]
    )
    return Comparison(
        **base,  # type: ignore[arg-type]
        newest_period=newest_period,
        newest_value=float(since["end_number"]),  # type: ignore[arg-type]
        verdict="cannot tell",
        why=why + consultant_note,
    )


def _no_newer(
    statement: str, measure: str, unit: str, period: str, value: float | None, why: str
) -> Comparison:
    """A figure whose newest official year is still the report's own: nothing to compare."""
    return Comparison(statement, measure, unit, period, value, period, value, "cannot tell", why)


def _fig1(tables: Tables) -> Comparison:
    table = tables[fig1_activity.TABLE]
    newest = str(table["financial_year"].max())
    return _no_newer(
        "More than half of daily NHS activity takes place in general practice and community services.",
        "share of average daily activity in general practice and community services",
        "%",
        newest,
        fig1_activity.primary_and_community_share(table, newest),
        f"no financial-year total for any setting after {newest} is held; the newer totals found are "
        "rolling twelve-month (GP appointments) or calendar-year (A&E, ambulance) totals, which are not "
        "financial years and are left out",
    )


def _fig2(tables: Tables) -> Comparison:
    table = tables[fig2_spending.TABLE].filter(pl.col("spending_sector") == "primary care")
    newest = _newest(table, "share_of_dhsc_rdel_pct")
    year = str(newest["financial_year"])
    return _no_newer(
        "Most spending goes to acute trusts, and primary care's share of DHSC spending has fallen.",
        "primary care's share of DHSC resource spending",
        "%",
        year,
        float(newest["share_of_dhsc_rdel_pct"]),  # type: ignore[arg-type]
        f"DHSC's outturn by spending line after {year} is not held (only totals and budgets were found)",
    )


def _fig3(tables: Tables) -> Comparison:
    """Acute trusts' spending growing fastest: no trust accounts after the report's years are held."""
    table = tables[fig3_trust_growth.TABLE]
    acute = fig3_trust_growth.growth(table, "Acute")
    gaps = [g for g in table["gap"].to_list() if g]
    why = (
        "the trust accounts are not in data/raw, so neither the report's years nor any later one can be "
        "compared: NHS England's Trust Accounts Consolidation data files for 2017/18 and 2021/22 are "
        "needed (the Figure 3 chapter names each file and its page); `kfanalysis ingest tac --from "
        "FOLDER --write`, then `kfanalysis build`, builds the figure from them"
        if acute is None and gaps
        else "no trust accounts after 2021/22 are held; bringing in a later edition with "
        "`kfanalysis ingest tac` would allow the comparison"
    )
    return Comparison(
        statement="Acute trusts have seen the largest increases in expenditure of any type of NHS trust.",
        measure="growth in total operating expenditure by trust type, 2021/22 prices",
        unit="%",
        report_period="2016/17 to 2021/22",
        report_value=acute,
        newest_period=None,
        newest_value=None,
        verdict="cannot tell",
        why=why,
    )


def _fig6(tables: Tables) -> Comparison:
    from kfanalysis.figures import fig6_nurses

    table = fig6_nurses.series(tables[fig6_nurses.TABLE]).sort("snapshot_date")
    newest = table.row(-1, named=True)
    return _no_newer(
        "Nurse numbers grew more slowly over the past ten years than the next ten would need.",
        "nurses and health visitors, NHS hospital and community health services, headcount",
        str(newest["value_unit"]),
        str(newest["period_label"]),
        float(newest["value"]),
        f"no national count after {newest['period_label']} is held",
    )


def _planned(figure: str) -> Callable[[Tables], Comparison]:
    def compare_planned(_tables: Tables) -> Comparison:
        return Comparison(
            statement=figure_spec(figure).title,
            measure="",
            unit="",
            report_period="",
            report_value=None,
            newest_period=None,
            newest_value=None,
            verdict="cannot tell",
            why=planned_reasons()[figure],
        )

    return compare_planned


#: How each built figure is compared; a figure not built yet gets the planned comparison.
COMPARERS: dict[str, Callable[[Tables], Comparison]] = {
    "fig1": _fig1,
    "fig2": _fig2,
    "fig3": _fig3,
    "fig4": _fig4,
    "fig5": _fig5,
    "fig6": _fig6,
    "fig7": _fig7,
}


def _gist(text: str) -> str:
    """The first clause of a reason, enough for a one-line summary."""
    return text.split(";")[0].split(". ")[0].split(" (")[0].rstrip(".")


def checking_found(ledger: pl.DataFrame, figure: str) -> str:
    """What checking the figure's published numbers found, in one clause, from the ledger."""
    rows = ledger.filter(pl.col("figure") == figure)
    if rows.height == 0:
        return "no published number is tested"
    if not figure_spec(figure).is_built:
        return f"its {rows.height} published numbers cannot be checked here until the figure is rebuilt"
    counts = {s: rows.filter(pl.col("status") == s).height for s in ("reproduced", "confirmed", "differs")}
    missing = rows.filter(pl.col("status") == "missing_input")
    parts = []
    if counts["reproduced"]:
        parts.append(f"{counts['reproduced']} reproduced")
    if counts["confirmed"]:
        parts.append(f"{counts['confirmed']} confirmed as quoted")
    if counts["differs"]:
        reason = _gist(str(rows.filter(pl.col("status") == "differs")["reason"][0]))
        verb = "differs" if counts["differs"] == 1 else "differ"
        parts.append(f"{counts['differs']} {verb} ({reason})")
    if missing.height:
        what = _gist(str(missing["missing_input"][0]))
        parts.append(f"{missing.height} cannot be checked here (missing: {what})")
    return f"of {rows.height} published numbers, " + ", ".join(parts)


def _headline(figure: str, comparison: Comparison, checked: str) -> str:
    number = figure[3:]
    if comparison.verdict == "cannot tell":
        since = f"whether its statement still holds cannot be told: {comparison.why.rstrip('.')}"
    else:
        words = {"holds": "still holds", "reversed": "is reversed"}[comparison.verdict]
        since = f"on the newest official data its statement {words}: {comparison.why.rstrip('.')}"
    return f"Figure {number}: {checked}; {since}."


def compare(tables: dict[str, pl.DataFrame], ledger: pl.DataFrame) -> pl.DataFrame:
    """The since-the-report table: one row per figure, in report order.

    Args:
        tables: Built figure tables keyed by table name (as ``build_tables`` or ``read_table`` give).
        ledger: The built ledger, for what checking each figure's published numbers found.

    Returns:
        A polars table with the columns of ``SCHEMA``, one row per figure.
    """
    rows = []
    for spec in FIGURES:
        comparer = COMPARERS.get(spec.figure) if spec.is_built else None
        comparison = (comparer or _planned(spec.figure))(tables)
        checked = checking_found(ledger, spec.figure)
        rows.append(
            {
                "figure": spec.figure,
                "statement": comparison.statement,
                "measure": comparison.measure,
                "unit": comparison.unit,
                "report_period": comparison.report_period,
                "report_value": comparison.report_value,
                "newest_period": comparison.newest_period,
                "newest_value": comparison.newest_value,
                "is_forecast_deflator": comparison.is_forecast_deflator,
                "is_series_break": comparison.is_series_break,
                "verdict": comparison.verdict,
                "why": comparison.why,
                "checking_found": checked,
                "headline": _headline(spec.figure, comparison, checked),
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


def from_outputs(root: Path | str | None = None) -> pl.DataFrame:
    """The same table, from the built outputs in data/processed (what the book presents).

    The outputs are checked against data/raw before they are read, so the page can never show a
    verdict that no longer follows from the raw files.
    """
    from kfanalysis.figures import built_figures
    from kfanalysis.outputs import read_ledger, read_table

    tables = {}
    for spec in built_figures():
        name = spec.load_module().TABLE
        tables[name] = read_table(name, root)
    return compare(tables, read_ledger(root=root))


def value_text(value: float | None, unit: str) -> str:
    """A value as a reader sees it, with its unit: "9.9%", "137.7 (index)", "27,966 FTE"."""
    if value is None:
        return "not found"
    if unit == "%":
        return _fmt(value, unit)
    if unit == "index":
        return f"{value:.1f} (index)"
    return f"{_fmt(value, unit)} {unit}".rstrip()


def for_readers(frame: pl.DataFrame) -> pl.DataFrame:
    """The table as a reader reads it: the figure's number, values with units, flags in words."""
    rows = []
    for row in frame.iter_rows(named=True):
        rows.append(
            {
                "Figure": row["figure"][3:],
                "Statement": row["statement"],
                "Report's last year": row["report_period"] or "-",
                "Value then": value_text(row["report_value"], row["unit"]),
                "Newest year": row["newest_period"] or "-",
                "Newest value": value_text(row["newest_value"], row["unit"]),
                "Verdict": row["verdict"],
                "Rests on forecast deflator": "yes" if row["is_forecast_deflator"] else "no",
                "Break in series": "yes" if row["is_series_break"] else "no",
            }
        )
    return pl.DataFrame(rows)
