"""Review an edit to data/raw before its checksums are refreshed: which rows changed, and are they plausible.

Refreshing SHA256SUMS is the moment a hand edit becomes trusted data, so it is
the moment to show the editor what they are about to trust: per file, the rows
added, removed and changed (compared by the table's key with the committed
version in git), and any row whose year its cited edition cannot cover (a
2024/25 value citing a release for 2023-24).
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
from dataclasses import dataclass, field

from kfanalysis.fields import TABLES
from kfanalysis.paths import ProjectPaths
from kfanalysis.periods import FinancialYear
from kfanalysis.sources import Source, read_checksums


@dataclass(frozen=True)
class FileChanges:
    """How one raw file differs from its previous version.

    Attributes:
        name: File name in data/raw.
        added: Keys of rows only in the new file, as text.
        removed: Keys of rows only in the old file.
        changed: For rows in both, "key: column old -> new; ..." for every cell that moved.
        compared_with: What the new file was compared with, in words.
    """

    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    compared_with: str = ""

    def summary(self) -> str:
        """One line: the counts, and what they are counted against."""
        unit = "row(s)" if self.name.endswith(".csv") else "line(s)"
        return (
            f"{self.name}: {len(self.added)} {unit} added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed ({self.compared_with})"
        )


def committed_text(paths: ProjectPaths, name: str) -> str | None:
    """The file as committed at git HEAD, or None when there is no git, no commit or no such file."""
    try:
        result = subprocess.run(
            ["git", "-C", str(paths.raw), "show", f"HEAD:./{name}"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace")


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def compare_rows(name: str, old: str, new: str) -> FileChanges:
    """Compare two versions of a raw table row by row, matching rows on the table's key.

    Files that are not tables (sources.toml) are compared line by line.
    """
    stem = name.removesuffix(".csv")
    if stem not in TABLES or not name.endswith(".csv"):
        old_lines, new_lines = old.splitlines(), new.splitlines()
        return FileChanges(
            name,
            added=[line for line in new_lines if line not in old_lines],
            removed=[line for line in old_lines if line not in new_lines],
        )
    key = TABLES[stem].key
    _, old_rows = _rows(old)
    columns, new_rows = _rows(new)

    def keyed(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
        return {", ".join(f"{k}={r.get(k, '')}" for k in key): r for r in rows}

    before, after = keyed(old_rows), keyed(new_rows)
    changed = []
    for k in before.keys() & after.keys():
        moved = [
            f"{c} {before[k].get(c, '')!r} -> {after[k].get(c, '')!r}"
            for c in columns
            if before[k].get(c) != after[k].get(c)
        ]
        if moved:
            changed.append(f"{k}: {'; '.join(moved)}")
    return FileChanges(
        name,
        added=[k for k in after if k not in before],
        removed=[k for k in before if k not in after],
        changed=sorted(changed),
    )


def review_edits(paths: ProjectPaths) -> list[FileChanges]:
    """Rows added, removed and changed in every raw file whose bytes no longer match SHA256SUMS.

    The previous version is the one committed in git; if that is not the version last
    hashed, or there is no git, the result says so instead of guessing.
    """
    from kfanalysis.sources import checksummed_files, sha256_of

    sums = read_checksums(paths) if paths.checksums.is_file() else {}
    out = []
    for path in checksummed_files(paths):
        if sums.get(path.name) == sha256_of(path):
            continue
        new = path.read_text(encoding="utf-8", errors="replace")
        old = committed_text(paths, path.name)
        if old is None and path.name in sums:
            out.append(FileChanges(path.name, compared_with="no earlier version in git: rows not compared"))
            continue
        if old is None:
            added = compare_rows(path.name, "", new).added
            out.append(FileChanges(path.name, added=added, compared_with="new file"))
            continue
        digest = hashlib.sha256(old.encode("utf-8")).hexdigest()
        where = (
            "against the version last hashed, as committed"
            if digest == sums.get(path.name)
            else "against the committed version, which is not the one last hashed"
        )
        result = compare_rows(path.name, old, new)
        out.append(FileChanges(path.name, result.added, result.removed, result.changed, where))
    for name in sorted(set(sums) - {p.name for p in checksummed_files(paths)}):
        out.append(FileChanges(name, compared_with="file removed"))
    return out


def coverage_warnings(paths: ProjectPaths, sources: dict[str, Source]) -> list[str]:
    """Rows whose financial year lies outside the years their cited edition covers.

    Only editions that declare ``covers_from`` or ``covers_to`` in sources.toml are checked.
    """
    warnings = []
    for spec in TABLES.values():
        if not spec.is_raw or "financial_year" not in spec.columns or "source_id" not in spec.columns:
            continue
        path = paths.raw / spec.filename
        if not path.is_file():
            continue
        _, rows = _rows(path.read_text(encoding="utf-8", errors="replace"))
        for line, row in enumerate(rows, start=2):
            source = sources.get(row.get("source_id", ""))
            year = row.get("financial_year", "")
            if source is None or not year:
                continue
            try:
                FinancialYear.parse(year)
            except ValueError:
                continue  # the loader reports an unreadable year with its fix
            if not source.covers(year):
                span = f"{source.covers_from or '...'} to {source.covers_to or '...'}"
                warnings.append(
                    f"data/raw/{spec.filename}, line {line}: year {year} cites {source.id} "
                    f"({source.edition}), which covers {span}; check the source or the year"
                )
    return warnings
