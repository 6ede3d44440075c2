"""Turn what a reader extracted into new versions of data/raw files, shown as a review diff first.

Ingesting is a deliberate edit of data/raw made by code instead of by hand, so
it is reviewed the same way: for each raw table and for sources.toml, the rows
added, removed and changed against the files as they stand (the diff
``kfanalysis sources --refresh-checksums`` prints), and nothing is written
unless asked. The new text is validated against the table's schema before any
file is touched; then every file is written atomically.

Rows keep their place: a committed row the extract stands for is replaced where
it stands (or dropped if the file no longer has it) and new rows are added at
the end, so re-reading an unchanged file gives back the committed file byte for
byte. What a file cannot say about itself (``read_at``: where a copy of it was
found; ``note``: caveats written by a person) is carried over from the committed
row with the same key.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

from kfanalysis.errors import KfError, RawDataError
from kfanalysis.fields import TABLES
from kfanalysis.ingest.base import Extract, Row
from kfanalysis.paths import ProjectPaths
from kfanalysis.review import FileChanges, compare_rows

#: Columns a reader may leave empty for the committed row's text to fill.
CARRIED = ("read_at", "note")


@dataclass(frozen=True)
class Planned:
    """A data/raw file's new text and how it differs from the current one."""

    path: Path
    old: str
    new: str
    changes: FileChanges

    @property
    def changed(self) -> bool:
        """True if the file's text would change."""
        return self.old != self.new


def _csv_text(columns: list[str], rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def merge(table: str, old_text: str, extracts: list[Extract]) -> str:
    """The table's new text: the committed rows with each extract's rows put in their place."""
    spec = TABLES[table]
    columns = list(spec.columns)
    reader = csv.DictReader(io.StringIO(old_text, newline="")) if old_text else None
    if reader is not None and reader.fieldnames and list(reader.fieldnames) != columns:
        raise KfError(
            f"data/raw/{spec.filename}: its columns {reader.fieldnames} are not the declared {columns}\n"
            "  Fix: restore the file from git before ingesting"
        )
    rows: list[Row] = list(reader) if reader is not None else []

    def key(row: Row) -> tuple[str, ...]:
        return tuple(row.get(k, "") for k in spec.key)

    for extract in extracts:
        fresh = {key(r): r for r in extract.rows}
        if len(fresh) != len(extract.rows):
            raise KfError(f"{extract.path}: the reader gave two rows with the same key for {spec.filename}")
        used: set[tuple[str, ...]] = set()
        merged: list[Row] = []
        for row in rows:
            if not extract.stands_for(row):
                merged.append(row)
                continue
            new = fresh.get(key(row))
            if new is None:
                continue  # the file no longer has this row: the diff shows it removed
            used.add(key(row))
            merged.append({c: new.get(c, "") or (row.get(c, "") if c in CARRIED else "") for c in columns})
        merged.extend({c: r.get(c, "") for c in columns} for k, r in fresh.items() if k not in used)
        rows = merged
    return _csv_text(columns, rows)


def record_file(toml_text: str, source_id: str, file_name: str, sha256: str) -> str:
    """sources.toml with the edition's ``file_sha256`` set (and ``file_name``, if it has none).

    The file is edited as text, line by line within the edition's block, so its comments
    and layout stay as written.
    """
    blocks = re.split(r"(?m)^(?=\[\[source\]\])", toml_text)
    for number, block in enumerate(blocks):
        if not re.search(rf'(?m)^id = "{re.escape(source_id)}"$', block):
            continue
        if re.search(r"(?m)^file_sha256 = ", block):
            block = re.sub(r'(?m)^file_sha256 = ".*"$', f'file_sha256 = "{sha256}"', block)
        else:
            anchor = "file_name" if re.search(r"(?m)^file_name = ", block) else "url"
            block = re.sub(rf"(?m)^({anchor} = .*)$", rf'\1\nfile_sha256 = "{sha256}"', block, count=1)
        if not re.search(r"(?m)^file_name = ", block) and not re.search(
            rf'(?m)^file_url = ".*/{re.escape(file_name)}"$', block
        ):
            block = re.sub(r"(?m)^(url = .*)$", rf'\1\nfile_name = "{file_name}"', block, count=1)
        blocks[number] = block
        return "".join(blocks)
    raise KfError(
        f"data/raw/sources.toml: no [[source]] with id {source_id!r}\n"
        "  Fix: add the edition to sources.toml (id, title, publisher, edition, url, ...) first"
    )


def _against(changes: FileChanges) -> FileChanges:
    return replace(changes, compared_with="against the file as it stands")


def plan(paths: ProjectPaths, extracts: list[Extract]) -> list[Planned]:
    """The new text of every raw file the extracts touch, validated, and the review diff of each.

    Raises:
        RawDataError: If a new table would not pass its schema (nothing is written).
    """
    from kfanalysis.loader import _parse, _typed, _validated

    out: list[Planned] = []
    for table in dict.fromkeys(e.table for e in extracts):
        path = paths.raw / TABLES[table].filename
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = merge(table, old, [e for e in extracts if e.table == table])
        rel = f"data/raw/{path.name} (as ingested)"
        frame, lines = _parse(new, TABLES[table], rel)
        typed, problems = _typed(frame, TABLES[table], rel, lines)
        _, failures = _validated(typed, TABLES[table], rel, lines)
        if problems or failures:  # every problem at once, type errors and schema failures together
            raise RawDataError(problems + failures)
        out.append(Planned(path, old, new, _against(compare_rows(path.name, old, new))))
    old_toml = paths.sources_toml.read_text(encoding="utf-8")
    toml = old_toml
    for extract in extracts:
        toml = record_file(toml, extract.source_id, extract.path.name, extract.sha256)
    out.append(
        Planned(paths.sources_toml, old_toml, toml, _against(compare_rows("sources.toml", old_toml, toml)))
    )
    return out


def write(planned: list[Planned]) -> list[Path]:
    """Write every changed file atomically; return the ones written."""
    from kfanalysis.write import write_text_atomic

    written = []
    for item in planned:
        if item.changed:
            write_text_atomic(item.path, item.new)
            written.append(item.path)
    return written
