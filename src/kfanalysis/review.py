"""Review an edit to data/raw before its checksums are refreshed: which rows changed, and are they plausible.

Refreshing SHA256SUMS is the moment a hand edit becomes trusted data, so it is
the moment to show the editor what they are about to trust: per file, the rows
added, removed and changed (compared by the table's key with the committed
version in git), and any row whose year its cited edition cannot cover (a
2024/25 value citing a release for 2023-24).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import subprocess
from collections import Counter
from dataclasses import dataclass, field, replace

from kfanalysis.errors import Problem, RawDataError
from kfanalysis.fields import TABLES
from kfanalysis.paths import ProjectPaths
from kfanalysis.periods import FinancialYear
from kfanalysis.sources import Source, parse_sources, read_checksums


@dataclass(frozen=True)
class FileChanges:
    """How one raw file differs from its previous version.

    Attributes:
        name: File name in data/raw.
        added: Keys of rows only in the new file, as text (for sources.toml: lines added).
        removed: Keys of rows only in the old file (for sources.toml: lines removed).
        changed: For rows in both, "key: column old -> new; ..." for every cell that moved.
        compared_with: What the new file was compared with, in words.
        columns_added: Header columns only in the new file.
        columns_removed: Header columns only in the old file.
        duplicated: Keys that more than one row of the new file carries.
        lines_added: Lines added, counted as ``diff`` counts them (None when not compared).
        lines_removed: Lines removed, counted as ``diff`` counts them.
    """

    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    compared_with: str = ""
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    lines_added: int | None = None
    lines_removed: int | None = None

    def summary(self) -> str:
        """One line: the counts, and what they are counted against."""
        if not self.name.endswith(".csv"):
            counts = f"{len(self.added)} line(s) added, {len(self.removed)} removed"
        else:
            counts = (
                f"{len(self.added)} row(s) added, {len(self.removed)} removed, {len(self.changed)} changed"
            )
            if self.lines_added is not None:
                counts += f"; {self.lines_added} line(s) added, {self.lines_removed} removed"
        extra = [
            f"{label}: {', '.join(items)}"
            for label, items in (
                ("column(s) added", self.columns_added),
                ("column(s) removed", self.columns_removed),
                ("key(s) on more than one row", self.duplicated),
            )
            if items
        ]
        return f"{self.name}: {counts}{''.join('; ' + e for e in extra)} ({self.compared_with})"


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
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return list(reader.fieldnames or []), list(reader)


def _line_diff(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed and added, as ``diff`` reports them (every occurrence, in file order)."""
    removed: list[str] = []
    added: list[str] = []
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(before[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(after[j1:j2])
    return removed, added


def compare_rows(name: str, old: str, new: str) -> FileChanges:
    """Compare two versions of a raw table row by row, matching rows on the table's key.

    Files that are not tables (sources.toml) are compared line by line, as ``diff`` does.
    Columns added or dropped and keys that occur on more than one row are reported, as a
    dropped column would otherwise change no row and a duplicated row would add no key.
    """
    removed_lines, added_lines = _line_diff(old, new)
    stem = name.removesuffix(".csv")
    if stem not in TABLES or not name.endswith(".csv"):
        return FileChanges(name, added=added_lines, removed=removed_lines)
    key = TABLES[stem].key
    old_columns, old_rows = _rows(old)
    columns, new_rows = _rows(new)

    def key_of(row: dict[str, str]) -> str:
        return ", ".join(f"{k}={row.get(k) or ''}" for k in key)

    before = {key_of(r): r for r in old_rows}
    after = {key_of(r): r for r in new_rows}
    counts = Counter(key_of(r) for r in new_rows)
    shared = [c for c in columns if c in old_columns]
    changed = []
    for k in before.keys() & after.keys():
        moved = [
            f"{c} {before[k].get(c, '')!r} -> {after[k].get(c, '')!r}"
            for c in shared
            if before[k].get(c) != after[k].get(c)
        ]
        if moved:
            changed.append(f"{k}: {'; '.join(moved)}")
    return FileChanges(
        name,
        added=[k for k in after if k not in before],
        removed=[k for k in before if k not in after],
        changed=sorted(changed),
        columns_added=[c for c in columns if c not in old_columns] if old else [],
        columns_removed=[c for c in old_columns if c not in columns] if old else [],
        duplicated=[k for k, n in counts.items() if n > 1],
        lines_added=len(added_lines),
        lines_removed=len(removed_lines),
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
        try:
            new = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            out.append(FileChanges(path.name, compared_with="not UTF-8 text: rows not compared"))
            continue
        old = committed_text(paths, path.name)
        if old is None and path.name in sums:
            out.append(FileChanges(path.name, compared_with="no earlier version in git: rows not compared"))
            continue
        if old is None:
            out.append(replace(compare_rows(path.name, "", new), compared_with="new file"))
            continue
        digest = hashlib.sha256(old.encode("utf-8")).hexdigest()
        where = (
            "against the version last hashed, as committed"
            if digest == sums.get(path.name)
            else "against the committed version, which is not the one last hashed"
        )
        out.append(replace(compare_rows(path.name, old, new), compared_with=where))
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


def problems_before_refresh(paths: ProjectPaths) -> list[Problem]:
    """Every problem ``kfanalysis check`` would find once the checksums were refreshed.

    sources.toml is parsed and every raw table is checked as it is on disk, with the
    checksum step left out (refreshing it is what is being asked). An empty list means
    the files may be hashed; anything else must be fixed first, so a checksum never
    vouches for a file that ``check`` would refuse.
    """
    from kfanalysis.loader import parse_table

    problems: list[Problem] = []
    known: set[str] | None
    try:
        known = set(parse_sources(paths))
    except RawDataError as exc:
        problems += exc.problems
        known = None
    for spec in TABLES.values():
        if not spec.is_raw:
            continue
        path = paths.raw / spec.filename
        rel = paths.relative(path)
        if not path.is_file():
            problems.append(Problem(rel, "file is missing", "restore it with `git checkout -- " + rel + "`"))
            continue
        # With sources.toml unreadable, source ids cannot be checked; its own problem is listed.
        try:
            parse_table(spec, path.read_bytes(), rel, lambda: known)
        except RawDataError as exc:
            problems += exc.problems
    return problems
