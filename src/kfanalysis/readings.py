"""Every raw value with where it came from and what kind of place it was read at.

Most values in data/raw were not read in the publication itself but at a
copy: a repository holding the official file at a commit, a mirror of a
parliamentary answer, a press reprint, or a third party's compilation of
official files. That is recorded honestly row by row (``read_at``, ``note``),
and a careful user wants to filter on it. :func:`provenance` gathers every
value of every raw table into one long table and classifies each reading by
the place it was read at, using ``reading_places.csv`` beside this module: the
kinds are the project's own classification of places, kept as reviewed data in
the package (not in data/raw, which holds published figures only, each citing
its source), never guessed from text at read time.
A value with an empty ``read_at`` was read in the publication its
``source_id`` names.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.fields import FIELDS, READING_KINDS, TABLES
from kfanalysis.loader import load
from kfanalysis.paths import project_paths

#: The classification of places of reading: the project's judgement, not a published figure.
PLACES_FILE = Path(__file__).with_name("reading_places.csv")
#: Where it is shown in messages (the path inside a checkout).
PLACES_SHOWN = "src/kfanalysis/reading_places.csv"
#: Columns of :func:`provenance`, in order.
COLUMNS = ("table", "row", "column", "value", "source_id", "locator", "read_at", "reading_kind", "place")


def _value_columns(name: str) -> list[str]:
    """The columns of a raw table that hold published numbers (not keys, citations or flags)."""
    spec = TABLES[name]
    return [
        c
        for c in spec.columns
        if FIELDS[c].dtype in ("int", "float") and c not in spec.key and c != "precision_decimals"
    ]


def reading_places() -> pl.DataFrame:
    """The places values were read at, each with its kind of reading and what it is.

    Raises:
        KfError: If a place is listed twice or has a kind not in ``READING_KINDS``, naming the
            line and the fix.
    """
    frame = pl.read_csv(
        PLACES_FILE,
        schema={"place": pl.String, "reading_kind": pl.String, "what": pl.String},
        encoding="utf8",
    )
    problems: list[str] = []
    seen: set[str] = set()
    for line, (place, kind) in enumerate(zip(frame["place"], frame["reading_kind"], strict=True), start=2):
        if not place:
            problems.append(f"line {line}: no place")
        elif place in seen:
            problems.append(f"line {line}: place {place!r} is listed more than once")
        seen.add(place or "")
        if kind not in READING_KINDS:
            problems.append(f"line {line}: kind {kind!r} is not one of {', '.join(READING_KINDS)}")
    if problems:
        raise KfError(
            f"{PLACES_SHOWN} is not a valid classification of places:\n"
            + "\n".join(f"- {p}" for p in problems)
            + "\n  Fix: give each place once, with one of the kinds listed."
        )
    return frame


def _place_of(read_at: str | None, places: list[str]) -> str | None:
    if not read_at:
        return None
    matches = [p for p in places if read_at.startswith(p)]
    return max(matches, key=len) if matches else None


def provenance(root: Path | str | None = None, *, kind: str | None = None) -> pl.DataFrame:
    """Every published number in data/raw, one row each, with its source and the kind of reading.

    Example:
        >>> import kfanalysis
        >>> readings = kfanalysis.provenance()
        >>> readings.columns[:4]
        ['table', 'row', 'column', 'value']
        >>> set(readings["reading_kind"]) <= set(kfanalysis.fields.READING_KINDS)
        True

    Args:
        root: Project root; found as every reading call finds it if omitted.
        kind: Keep only readings of this kind (one of ``kfanalysis.fields.READING_KINDS``).

    Returns:
        One row per value: the table, the row's line in its file, the column and the value
        (as text, so every table fits one column), source_id, locator, read_at, the kind of
        reading and the place (from reading_places.csv) it was classified by.

    Raises:
        KfError: If a read_at matches no place in reading_places.csv, naming the file, line and
            the fix; or if ``kind`` is not a known kind.
    """
    if kind is not None and kind not in READING_KINDS:
        raise KfError(f"no kind of reading {kind!r}\n  Fix: use one of {', '.join(READING_KINDS)}.")
    paths = project_paths(root)
    places_frame = reading_places()
    places = places_frame["place"].to_list()
    kinds = dict(zip(places, places_frame["reading_kind"].to_list(), strict=True))
    parts: list[pl.DataFrame] = []
    unplaced: list[str] = []
    for name, spec in TABLES.items():
        if not spec.is_raw or "read_at" not in spec.columns:
            continue
        frame = load(name, paths.root).with_row_index("row", offset=2)  # line 1 is the header
        for column in _value_columns(name):
            values = frame.filter(pl.col(column).is_not_null())
            read_at = values["read_at"].to_list()
            where = [_place_of(r, places) for r in read_at]
            for line, r, p in zip(values["row"].to_list(), read_at, where, strict=True):
                if r and p is None:
                    unplaced.append(f"data/raw/{spec.filename}, line {line}, read_at {r[:80]!r}")
            parts.append(
                pl.DataFrame(
                    {
                        "table": [name] * values.height,
                        "row": values["row"].cast(pl.Int64),
                        "column": [column] * values.height,
                        "value": values[column].cast(pl.String),
                        "source_id": values["source_id"],
                        "locator": values["locator"],
                        "read_at": values["read_at"],
                        "reading_kind": [kinds[p] if p else "publication itself" for p in where],
                        "place": where,
                    },
                    schema={c: pl.Int64 if c == "row" else pl.String for c in COLUMNS},
                )
            )
    if unplaced:
        raise KfError(
            f"{len(unplaced)} value(s) were read at a place {PLACES_SHOWN} does not classify:\n"
            + "\n".join(f"- {u}" for u in unplaced[:10])
            + ("\n- ..." if len(unplaced) > 10 else "")
            + f"\n  Fix: add a row for the place (the start of read_at) with its kind to {PLACES_SHOWN}."
        )
    table = pl.concat(parts)
    return table.filter(reading_kind=kind) if kind is not None else table


def counts_by_kind(readings: pl.DataFrame) -> pl.DataFrame:
    """How many values were read at each kind of place, every kind shown (zero included), in order."""
    counted = readings.group_by("reading_kind").len("values")
    order = pl.DataFrame({"reading_kind": list(READING_KINDS)}, schema={"reading_kind": pl.String})
    return order.join(counted, on="reading_kind", how="left").with_columns(
        pl.col("values").fill_null(0).cast(pl.Int64)
    )
