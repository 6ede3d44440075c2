"""Published numbers, the rounding rule, and the ledger of ours against theirs.

A published number is "reproduced" when our unrounded value rounds to it: it
lies within half a unit of the last digit published (the rule PUDL uses for
agency totals). "27%" admits 26.5 to 27.5; "110,000", published to the nearest
thousand, admits 109,500 to 110,500. Bounds ("more than a quarter") are tested
as bounds. A number that is computed but does not round to the claim is
"differs" and must carry the reason; a number whose inputs are not in data/raw
is "missing_input" and names the input it lacks.

A number the report quotes from another publication (a plan's projection, a
survey's estimate) cannot be recomputed, only found: when it is found as
published in the cited source, at a stated locator, it is "confirmed", a status
kept apart from "reproduced" everywhere statuses are counted.

This module holds the rules only. It takes the built tables as arguments and
imports nothing that builds them, so the arrows run one way: the pipeline calls
the figures and then this module, never the reverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.fields import STATUSES


@dataclass(frozen=True)
class Computed:
    """Our value for a claim, and how it was computed.

    Attributes:
        value: Our unrounded value, in the claim's unit.
        method: How it was computed, from which table and source (one sentence).
        why_differs: The explanation to show if the value does not round to the claim;
            empty when we expect it to reproduce.
    """

    value: float
    method: str
    why_differs: str = ""


@dataclass(frozen=True)
class Missing:
    """A claim that cannot be computed because an input is absent from data/raw.

    Attributes:
        missing_input: The official series (and years) that would be needed.
        why: Where it was looked for, or why it is absent.
    """

    missing_input: str
    why: str


@dataclass(frozen=True)
class Found:
    """A claim that quotes another publication, found as published in that source.

    Nothing is computed: the value is read from a raw row citing the source the
    report relies on. Such a claim is ``confirmed`` when the value rounds to the
    claim, never ``reproduced``.

    Attributes:
        value: The value as it stands in the raw row, in the claim's unit.
        source_id: The source (in sources.toml) the value was found in.
        locator: Where in that source (table, page, paragraph).
        what: What was looked up, in one sentence.
        why_differs: The explanation to show if the value does not round to the claim.
    """

    value: float
    source_id: str
    locator: str
    what: str
    why_differs: str = ""


ClaimResult = Computed | Missing | Found


def tolerance(precision_decimals: int) -> float:
    """Half a unit in the last published digit: 1 decimal -> 0.05; -3 (thousands) -> 500."""
    return 0.5 * 10.0 ** (-precision_decimals)


def status_of(published: float, comparison: str, precision_decimals: int, ours: float) -> str:
    """Classify our value against a published one: 'reproduced' or 'differs'.

    The half-unit test allows a relative slack of 1e-9 so that binary floating
    point does not turn an exact half-unit tie into a difference.
    """
    if math.isnan(ours):
        return "differs"
    if comparison == "more_than":
        return "reproduced" if ours > published else "differs"
    if comparison == "less_than":
        return "reproduced" if ours < published else "differs"
    slack = tolerance(precision_decimals) * (1 + 1e-9)
    return "reproduced" if abs(ours - published) <= slack else "differs"


def published_numbers(root: Path | str | None = None) -> pl.DataFrame:
    """The validated table of every published number (data/raw/published_numbers.csv)."""
    from kfanalysis.loader import load

    return load("published_numbers", root)


def ledger_rows(
    claims: pl.DataFrame,
    results: dict[str, ClaimResult],
    planned: dict[str, str],
    other_deflator: dict[str, ClaimResult] | None = None,
) -> pl.DataFrame:
    """Assemble the ledger from the published numbers and each figure's results.

    Args:
        claims: The published_numbers table.
        results: {claim_id: result} from every built figure.
        planned: {figure: sentence} for figures whose module is not built yet.
        other_deflator: {claim_id: result} for the claims stated in real terms, recomputed with
            HM Treasury's June 2023 deflator; their status under it goes in its own columns.

    Raises:
        KfError: If a built figure gives no result for one of its claims, or a result
            names a claim that is not published (both are bugs, not data gaps).
    """
    from kfanalysis.fields import table

    columns_of_ledger = table("ledger").columns
    rows = []
    unknown = sorted(set(results) - set(claims["claim_id"]))
    if unknown:
        raise KfError(
            f"figure modules return results for claims not in published_numbers.csv: {unknown}\n"
            "  Fix: register the claim in data/raw/published_numbers.csv or drop the result."
        )
    for claim in claims.iter_rows(named=True):
        cid, figure = claim["claim_id"], claim["figure"]
        # The ledger repeats every column of the claim it tests (see fields.TABLES["ledger"]).
        base = {k: claim[k] for k in columns_of_ledger if k in claim}
        result = results.get(cid)
        if result is None:
            if figure not in planned:
                raise KfError(
                    f"claim {cid} belongs to {figure}, whose module is built, but it returns no "
                    "result for it\n  Fix: add the claim to that module's claims()."
                )
            rows.append(
                {
                    **base,
                    "ours_value": None,
                    "difference": None,
                    "status": "missing_input",
                    "reason": planned[figure],
                    "missing_input": f"{figure} inputs (figure module not built yet)",
                }
            )
        elif isinstance(result, Missing):
            rows.append(
                {
                    **base,
                    "ours_value": None,
                    "difference": None,
                    "status": "missing_input",
                    "reason": result.why,
                    "missing_input": result.missing_input,
                }
            )
        else:
            status = status_of(
                claim["published_value"], claim["comparison"], claim["precision_decimals"], result.value
            )
            if isinstance(result, Found):
                method = (
                    f"found as published, not computed: {result.what} ({result.source_id}, {result.locator})"
                )
                why = result.why_differs
                if status == "reproduced":
                    status = "confirmed"
            else:
                method, why = f"computed: {result.method}", result.why_differs
            if status in ("reproduced", "confirmed"):
                reason = method
            else:
                reason = f"{why} ({method})" if why else f"no explanation recorded ({method})"
            rows.append(
                {
                    **base,
                    "ours_value": result.value,
                    "difference": result.value - claim["published_value"],
                    "status": status,
                    "reason": reason,
                    "missing_input": None,
                }
            )
    for row in rows:
        row.update(_under_other_deflator(row, (other_deflator or {}).get(row["claim_id"])))
    from kfanalysis.fields import columns_of
    from kfanalysis.schemas import polars_dtype

    schema = {f.name: polars_dtype(f) for f in columns_of("ledger")}
    return pl.DataFrame(rows, schema=schema, orient="row")


def summary(table: pl.DataFrame) -> dict[str, int]:
    """Count ledger rows by status, with every status present (zero if none)."""
    counts = dict(table.group_by("status").len().iter_rows())
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def _under_other_deflator(row: dict[str, object], result: ClaimResult | None) -> dict[str, object]:
    """The two sensitivity columns of a ledger row: value and status with the other deflator edition."""
    if result is None:
        return {"ours_value_deflator_2023_06": None, "status_deflator_2023_06": None}
    if isinstance(result, Missing):
        return {"ours_value_deflator_2023_06": None, "status_deflator_2023_06": "missing_input"}
    status = status_of(
        float(row["published_value"]),  # type: ignore[arg-type]
        str(row["comparison"]),
        int(row["precision_decimals"]),  # type: ignore[call-overload]
        result.value,
    )
    if isinstance(result, Found) and status == "reproduced":
        status = "confirmed"
    return {"ours_value_deflator_2023_06": result.value, "status_deflator_2023_06": status}


def filter_ledger(
    table: pl.DataFrame, *, figure: str | int | None = None, status: str | None = None
) -> pl.DataFrame:
    """Keep the ledger rows of one figure and/or one status, refusing names that match nothing.

    A misspelt status would otherwise give an empty table that reads as "no such claims".
    """
    if figure is not None:
        wanted = f"fig{figure}" if isinstance(figure, int) or str(figure).isdigit() else str(figure)
        known = [f"fig{n}" for n in range(1, 8)]
        if wanted not in known:
            raise KfError(
                f"no figure {figure!r} in the ledger\n  Fix: use one of {', '.join(known)} (or 1 to 7)."
            )
        table = table.filter(pl.col("figure") == wanted)
    if status is not None:
        if status not in STATUSES:
            raise KfError(f"no status {status!r}\n  Fix: use one of {', '.join(STATUSES)}.")
        table = table.filter(pl.col("status") == status)
    return table


def deflator_edition_changes(table: pl.DataFrame) -> tuple[int, int]:
    """Real-terms claims recomputed with the June 2023 deflator, and how many would change status.

    Returns:
        (claims with a June 2023 status, claims whose status differs from the March 2023 one).
    """
    real = table.filter(pl.col("status_deflator_2023_06").is_not_null())
    return real.height, real.filter(pl.col("status") != pl.col("status_deflator_2023_06")).height
