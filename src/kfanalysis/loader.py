"""Read a raw table: checksum, then explicit dtypes, then schema, with precise errors.

The order matters. The checksum comes first so that nothing is parsed from a
file that changed behind the registry's back. The file is then read as text
and split by the standard CSV rules, so a problem (a stray byte, a short row)
can be reported by line number before any typing happens. Each column is cast
to the dtype ``fields.py`` declares, never guessed, and the typed table is
validated by the pandera schema built from the same declarations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection
from pathlib import Path

import polars as pl

from kfanalysis.errors import ChecksumError, Problem, RawDataError
from kfanalysis.fields import FIELDS, TABLES, Table, table
from kfanalysis.paths import ProjectPaths, project_paths
from kfanalysis.schemas import polars_dtype, validate
from kfanalysis.sources import read_sources, verify_checksum

BOM = b"\xef\xbb\xbf"
TRUE_TEXT = {"true": True, "false": False}


#: Columns ``load(..., with_sources=True)`` adds from data/raw/sources.toml, and the Source field each holds.
SOURCE_COLUMNS = {
    "source_publisher": "publisher",
    "source_title": "title",
    "source_edition": "edition",
    "source_url": "url",
}


def load(name: str, root: Path | str | None = None, *, with_sources: bool = False) -> pl.DataFrame:
    """Load a raw table from data/raw as a validated polars DataFrame.

    Example:
        >>> import kfanalysis
        >>> deflator = kfanalysis.load("gdp_deflator", with_sources=True)
        >>> deflator.select("financial_year", "gdp_deflator_index", "source_publisher").row(0)
        ('2005/06', 72.1482, 'HM Treasury')

    Args:
        name: Table name, e.g. ``"gdp_deflator"`` (``kfanalysis.catalog()`` lists them).
        root: Project root; found from the working directory if omitted.
        with_sources: Add, for each row, the publisher, title, edition and URL of the
            publication its ``source_id`` names, next to the row's own ``locator``, so a
            value can be traced without a join by hand.

    Returns:
        The table with every column in its declared dtype (and, if asked, the columns
        source_publisher, source_title, source_edition and source_url).

    Raises:
        ChecksumError: If the file's bytes differ from data/raw/SHA256SUMS.
        RawDataError: Listing every problem found, each with file, line, column and a fix.
    """
    spec = table(name)
    if not spec.is_raw:
        raise ValueError(
            f"{name!r} is a built table, not a raw one: read it as built with "
            f"kfanalysis.outputs.read_table({name!r})"
            + (" (or kfanalysis.outputs.read_ledger())" if name == "ledger" else "")
        )
    paths = project_paths(root)
    path = paths.raw / spec.filename
    rel = paths.relative(path)
    if not path.is_file():
        raise RawDataError(
            [
                Problem(
                    rel,
                    "file is missing",
                    f"restore it from git, or add it with the columns {', '.join(spec.columns)}",
                )
            ]
        )
    verify_checksum(path, paths)
    frame = parse_table(spec, path.read_bytes(), rel, lambda: read_sources(paths))
    if with_sources:
        frame = _with_sources(frame, paths)
    return frame


def parse_table(
    spec: Table, data: bytes, rel: str, known_sources: Callable[[], Collection[str] | None]
) -> pl.DataFrame:
    """Check a raw table's bytes and return the typed, validated table; no checksum is involved.

    Everything that can be checked in one pass is: a cell that is not a number does not
    hide a bad year three lines down, a negative count or a source id that does not exist.
    Only a file that cannot be split into rows at all (empty, a byte order mark, not
    UTF-8, a wrong header, a short row) stops the checks early, as nothing after it could
    be placed on a line. ``kfanalysis sources --refresh-checksums`` runs this on an edited
    file before hashing it, so a broken file is never blessed.

    Args:
        spec: The table's definition.
        data: The file's bytes.
        rel: The file's path, as shown to the user.
        known_sources: Returns the source ids in sources.toml (None: do not check them); called only
            if the table cites sources.

    Raises:
        RawDataError: Listing every problem found, each with file, line, column and a fix.
    """
    text = _decode(data, rel)
    frame, lines = _parse(text, spec, rel)
    frame, problems = _typed(frame, spec, rel, lines)
    untyped = {(p.line, p.column) for p in problems}
    valid, failures = _validated(frame, spec, rel, lines)
    # A cell that is not a number is reported once, as such, not again as "empty".
    problems += [
        p for p in failures if not (p.what.startswith("value is empty") and (p.line, p.column) in untyped)
    ]
    known = known_sources() if "source_id" in spec.columns else None
    if known is not None:
        problems += _unknown_source_ids(frame, rel, known, lines)
    if problems:
        raise RawDataError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
    return valid


def _with_sources(frame: pl.DataFrame, paths: ProjectPaths) -> pl.DataFrame:
    """Join each row's publication details on its source_id, keeping row order."""
    sources = read_sources(paths)
    details = pl.DataFrame(
        {
            "source_id": list(sources),
            **{column: [getattr(s, key) for s in sources.values()] for column, key in SOURCE_COLUMNS.items()},
        },
        schema={"source_id": pl.String, **dict.fromkeys(SOURCE_COLUMNS, pl.String)},
    )
    return frame.join(details, on="source_id", how="left", maintain_order="left")


def load_all(root: Path | str | None = None) -> dict[str, pl.DataFrame]:
    """Load and validate every raw table, reporting the problems of all of them at once.

    A user who broke two files should learn about both from one run, not fix one,
    rerun, and only then meet the next.

    Args:
        root: Project root; found from the working directory if omitted.

    Returns:
        Every raw table by name, validated.

    Raises:
        RawDataError: Every problem in every raw table, grouped by file (a ``ChecksumError``
            when checksums are all that failed).
    """
    tables: dict[str, pl.DataFrame] = {}
    failed: list[RawDataError] = []
    for name, spec in TABLES.items():
        if not spec.is_raw:
            continue
        try:
            tables[name] = load(name, root)
        except RawDataError as exc:
            failed.append(exc)
    if failed:
        problems = [p for exc in failed for p in exc.problems]
        kind = ChecksumError if all(isinstance(exc, ChecksumError) for exc in failed) else RawDataError
        raise kind(problems)
    return tables


def _decode(data: bytes, rel: str) -> str:
    if not data.strip():
        raise RawDataError([Problem(rel, "file is empty", "restore it with `git checkout -- " + rel + "`")])
    if data.startswith(BOM):
        raise RawDataError(
            [
                Problem(
                    rel,
                    "file starts with a byte order mark (UTF-8 BOM)",
                    "save it as UTF-8 without BOM (spreadsheet programs add one on 'CSV UTF-8' export)",
                    line=1,
                )
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RawDataError(
            [
                Problem(
                    rel,
                    f"byte {data[exc.start]:#04x} is not valid UTF-8",
                    "re-save the file as UTF-8 and check the characters on that line",
                    line=line,
                )
            ]
        ) from exc


def _parse(text: str, spec: Table, rel: str) -> tuple[pl.DataFrame, list[int]]:
    """Split the text into records; return them as text columns and each record's first line."""
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise RawDataError(
            [
                Problem(
                    rel,
                    "file does not end with a line break, so its last row may be cut short",
                    "restore the file from git, or end the last row with a line break",
                    line=last,
                )
            ]
        )
    # strict=True turns an unclosed quote (a file cut off inside a quoted field) into an error.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []  # physical line on which each record starts (quoted fields may span lines)
    previous_end = 0
    try:
        for row in reader:
            rows.append(row)
            starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        raise RawDataError(
            [
                Problem(
                    rel,
                    f"the file cannot be read as CSV ({exc}); it may be truncated or have an unclosed quote",
                    "restore the file from git, or close the quote on that line",
                    line=previous_end + 1,
                )
            ]
        ) from exc
    header, body = rows[0], rows[1:]
    problems: list[Problem] = []
    missing = [c for c in spec.columns if c not in header]
    unknown = [c for c in header if c not in spec.columns]
    for column in missing:
        problems.append(
            Problem(
                rel,
                "required column is missing",
                f"add the column '{column}' ({FIELDS[column].description})",
                line=1,
                column=column,
            )
        )
    for column in unknown:
        problems.append(
            Problem(
                rel,
                "unknown column",
                f"remove it, or declare it in kfanalysis.fields and add it to table '{spec.name}'",
                line=1,
                column=column,
            )
        )
    if not missing and not unknown and tuple(header) != spec.columns:
        problems.append(
            Problem(
                rel,
                f"columns are out of order: {', '.join(header)}",
                f"put them in this order: {', '.join(spec.columns)}",
                line=1,
            )
        )
    if problems:
        raise RawDataError(problems)
    for offset, row in enumerate(body):
        if len(row) != len(header):
            problems.append(
                Problem(
                    rel,
                    f"row has {len(row)} field(s) but the header has {len(header)}",
                    "the row is truncated or has an unquoted comma; quote text that contains commas",
                    line=starts[offset + 1],
                )
            )
    if problems:
        raise RawDataError(problems)
    if not body and not spec.may_be_empty:
        raise RawDataError([Problem(rel, "file has a header but no rows", "restore the data rows")])
    columns = {name: [row[i] if row[i] != "" else None for row in body] for i, name in enumerate(header)}
    return pl.DataFrame(columns, schema={name: pl.String for name in header}), starts[1:]


def _typed(
    frame: pl.DataFrame, spec: Table, rel: str, lines: list[int]
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast every column to its declared dtype; a cell that does not cast becomes null and a Problem."""
    problems: list[Problem] = []
    casts: list[pl.Expr] = []
    for column in spec.columns:
        field = FIELDS[column]
        dtype = polars_dtype(field)
        raw = pl.col(column)
        if field.dtype == "bool":
            cast = raw.str.to_lowercase().replace_strict(TRUE_TEXT, default=None, return_dtype=pl.Boolean)
        elif field.dtype == "str":
            cast = raw
        else:
            parsed = raw.str.strip_chars().cast(dtype, strict=False)
            # "inf" and "nan" parse as floats but are never a published figure.
            cast = pl.when(parsed.is_finite()).then(parsed) if field.dtype == "float" else parsed
        casts.append(cast.alias(column))
        bad = frame.with_row_index("_row").filter(raw.is_not_null() & cast.is_null())
        expected = {"float": "a number", "int": "a whole number", "bool": "true or false"}.get(field.dtype)
        for row, value in zip(bad["_row"], bad[column], strict=True):
            problems.append(
                Problem(
                    rel,
                    f"{value!r} is not {expected}",
                    f"write {expected} without units or thousands separators "
                    f"(column holds {field.unit or field.dtype})",
                    line=lines[row],
                    column=column,
                )
            )
    return frame.select(casts), problems


def _validated(
    frame: pl.DataFrame, spec: Table, rel: str, lines: list[int]
) -> tuple[pl.DataFrame, list[Problem]]:
    """The validated table and no problems, or the table as given and every schema failure."""
    import pandera.errors

    try:
        return validate(spec.name, frame), []
    except pandera.errors.SchemaErrors as exc:
        return frame, problems_from_failures(exc.failure_cases, frame, spec, rel, lines)


def _line_of(index: int | None, lines: list[int] | None) -> int | None:
    """File line of row ``index`` (0-based), or None when the failure is not about one row."""
    if index is None:
        return None
    return lines[int(index)] if lines is not None else int(index) + 2


def problems_from_failures(
    failures: pl.DataFrame, frame: pl.DataFrame, spec: Table, rel: str, lines: list[int] | None = None
) -> list[Problem]:
    """Turn pandera's failure cases into Problems that name line, column and fix.

    Args:
        failures: pandera's ``failure_cases`` table.
        frame: The table that was validated.
        spec: Its table definition.
        rel: The file's path, as shown to the user.
        lines: The file line on which each row starts; if omitted, rows are assumed to
            take one line each after the header.
    """
    problems: list[Problem] = []
    for case in failures.iter_rows(named=True):
        index, column, check = case["index"], case["column"], str(case["check"])
        line = _line_of(index, lines)
        if check.startswith("multiple_fields_uniqueness") or check == "unique":
            key = {k: frame[k][int(index)] for k in spec.key} if index is not None else {}
            shown = ", ".join(f"{k}={v}" for k, v in key.items())
            problems.append(
                Problem(
                    rel,
                    f"duplicate key ({shown}): another row has the same {', '.join(spec.key)}",
                    "keep one row per key; if two editions disagree, record the edition in the key column",
                    line=line,
                )
            )
        elif check == "not_nullable":
            problems.append(
                Problem(
                    rel,
                    "value is empty but this column may not be",
                    f"fill it from the source ({FIELDS[column].description})",
                    line=line,
                    column=column,
                )
            )
        elif column in FIELDS:
            problems.append(
                Problem(
                    rel,
                    f"value {case['failure_case']!r} is not allowed",
                    f"it must be {FIELDS[column].rule()}; check it against the source",
                    line=line,
                    column=column,
                )
            )
        else:
            problems.append(
                Problem(
                    rel,
                    f"failed check {check}: {case['failure_case']}",
                    "correct the table to match its schema in kfanalysis.fields",
                    line=line,
                    column=column,
                )
            )
    # Stable order: by line, then column, so messages read top to bottom.
    return sorted(problems, key=lambda p: (p.line or 0, p.column or ""))


def _unknown_source_ids(
    frame: pl.DataFrame, rel: str, known: Collection[str], lines: list[int]
) -> list[Problem]:
    bad = frame.with_row_index("_row").filter(
        pl.col("source_id").is_not_null() & ~pl.col("source_id").is_in(list(known))
    )
    return [
        Problem(
            rel,
            f"source_id {sid!r} is not in data/raw/sources.toml",
            "add a [[source]] entry for the publication, or correct the id",
            line=lines[row],
            column="source_id",
        )
        for row, sid in zip(bad["_row"], bad["source_id"], strict=True)
    ]
