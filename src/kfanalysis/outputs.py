"""Read the built outputs in data/processed: validated tables, the ledger and chart images.

The book presents what the build made rather than making it again: every
chapter rebuilding every figure cost most of a book build, and two copies of
the same computation can only drift apart. Reading is not trusting blindly,
though. Each table is read with its declared dtypes and validated against the
same pandera schema the build used, and the outputs must have been built from
the raw files as they are now (``manifest.json`` records their hashes), so a
page can never show results that no longer follow from data/raw. The manifest
also records the hash of every output, so a file edited after the build is
refused too, by name, rather than read as if the build had written it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.fields import TABLES
from kfanalysis.paths import ProjectPaths, project_paths
from kfanalysis.schemas import polars_dtype, validate


class StaleOutputsError(KfError):
    """data/processed was not built from the raw files as they are now."""


class EditedOutputError(StaleOutputsError):
    """An output's content no longer matches the hash the build recorded for it."""


def _verified(root: Path | str | None, filename: str) -> Path:
    """The path of one output, after checking the build is current and this file is as built."""
    from kfanalysis.sources import sha256_of

    paths, record = _checked(root)
    path = paths.processed / filename
    if not path.is_file():
        raise KfError(f"{paths.relative(path)} is missing\n  Fix: run `kfanalysis build`.")
    recorded = record.get("outputs_sha256", {}).get(filename)
    fix = (
        "  Fix: rebuild with `kfanalysis build`, or restore the file as built with "
        f"`git checkout -- {paths.relative(path)}`."
    )
    if recorded is None:
        raise EditedOutputError(
            f"{paths.relative(path)} has no hash in {paths.relative(paths.processed / 'manifest.json')}: "
            f"it was not written by the build that wrote the manifest\n{fix}"
        )
    actual = sha256_of(path)
    if actual != recorded:
        raise EditedOutputError(
            f"{paths.relative(path)} was changed after the build: its SHA-256 is {actual}, the build "
            f"recorded {recorded}\n{fix}"
        )
    return path


def _checked(root: Path | str | None) -> tuple[ProjectPaths, dict[str, dict[str, str]]]:
    """Project paths, after checking data/processed against the current raw files."""
    from kfanalysis import __version__
    from kfanalysis.sources import checksummed_files, sha256_of

    paths = project_paths(root)
    manifest = paths.processed / "manifest.json"
    fix = "  Fix: run `kfanalysis build` (then review and commit data/processed)."
    if not manifest.is_file():
        raise StaleOutputsError(f"{paths.relative(manifest)} is missing: nothing has been built\n{fix}")
    record = json.loads(manifest.read_text(encoding="utf-8"))
    now = {p.name: sha256_of(p) for p in checksummed_files(paths)}
    built = record.get("raw_inputs_sha256", {})
    changed = sorted(n for n in set(now) | set(built) if now.get(n) != built.get(n))
    if changed:
        raise StaleOutputsError(
            f"{paths.relative(paths.processed)} was built from other raw files than those in data/raw "
            f"(changed since: {', '.join(changed)})\n{fix}"
        )
    if record.get("kfanalysis_version") != __version__:
        raise StaleOutputsError(
            f"{paths.relative(manifest)} was written by kfanalysis {record.get('kfanalysis_version')}, "
            f"this is {__version__}\n{fix}"
        )
    return paths, record


def stale_reason(root: Path | str | None = None) -> str | None:
    """Why data/processed does not follow from data/raw as it is now, in one line; None if it does.

    A test run asks this once, first, so that a reader who edited data/raw learns in one line
    to run ``kfanalysis build`` instead of meeting the same cause in every test that reads outputs.
    """
    try:
        _checked(root)
    except StaleOutputsError as exc:
        return str(exc).splitlines()[0]
    return None


def read_table(name: str, root: Path | str | None = None) -> pl.DataFrame:
    """Read a built table from data/processed, with its declared dtypes, validated by its schema.

    Args:
        name: A built table, e.g. ``"fig7_vacancies"``, ``"deflator_2021_22"`` or ``"ledger"``.
        root: Project root; found from the working directory if omitted.

    Returns:
        The table exactly as the build wrote it.

    Raises:
        StaleOutputsError: If data/processed is missing or was built from other raw files.
        EditedOutputError: If the file's content is not what the build wrote (its hash differs).
        KfError: If ``name`` is not a built table.
    """
    spec = TABLES.get(name)
    if spec is None or spec.is_raw:
        raise KfError(
            f"{name!r} is not a built table\n  Fix: use one of "
            + ", ".join(n for n, t in TABLES.items() if not t.is_raw)
            + "; raw tables are read with kfanalysis.load()"
        )
    path = _verified(root, spec.filename)
    from kfanalysis.fields import FIELDS

    schema = {column: polars_dtype(FIELDS[column]) for column in spec.columns}
    frame = pl.read_csv(path, schema=schema, null_values="")
    return validate(name, frame)


def read_ledger(
    root: Path | str | None = None, *, figure: str | None = None, status: str | None = None
) -> pl.DataFrame:
    """The ledger as last built (see ``kfanalysis.ledger`` to recompute it), optionally filtered."""
    from kfanalysis.published import filter_ledger

    return filter_ledger(read_table("ledger", root), figure=figure, status=status)


def chart_png(name: str, root: Path | str | None = None) -> bytes:
    """The PNG bytes of a built chart, e.g. ``chart_png("fig7_vacancies")``."""
    return _verified(root, f"{name}.png").read_bytes()
