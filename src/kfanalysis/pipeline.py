"""Build every output from data/raw: the deflator, each figure, its chart, and the ledger.

The build is all-or-nothing. Tables and charts are computed first, in memory;
only when every one has succeeded are the files staged and moved into
data/processed together (see ``write.staged_outputs``). A failure at any step
leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kfanalysis import __version__
from kfanalysis.datapackage import DATAPACKAGE, datapackage_bytes
from kfanalysis.fields import TABLES
from kfanalysis.figures import FigureModule, built_figures, planned_reasons
from kfanalysis.loader import load_all
from kfanalysis.paths import project_paths
from kfanalysis.prices import deflator
from kfanalysis.published import ClaimResult, filter_ledger, ledger_rows, published_numbers, summary
from kfanalysis.schemas import validate
from kfanalysis.since import compare as compare_since_report
from kfanalysis.sources import checksummed_files, sha256_of
from kfanalysis.write import csv_bytes, png_bytes, staged_outputs

Progress = Callable[[str], None]
#: The deflator edition every real-terms claim is also recomputed with (see ``_with_other_deflator``).
OTHER_DEFLATOR_EDITION = "2023-06"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class BuiltTables:
    """Every table a build produces, keyed by table name, plus the ledger."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    ledger: pl.DataFrame | None = None


def build_tables(root: Path | str | None = None, progress: Progress | None = None) -> BuiltTables:
    """Compute every table in memory, without writing anything.

    Args:
        root: Project root; found from the working directory if omitted.
        progress: Called with one line per step; silent if omitted.
    """
    say = progress or (lambda _message: None)
    specs = built_figures()
    steps = len(specs) + 3
    built = BuiltTables()
    raw_tables = [name for name, spec in TABLES.items() if spec.is_raw]
    say(f"[1/{steps}] check every raw table ({len(raw_tables)}): checksum, dtypes, schema")
    # Validate every raw file, including ones only the book reads, so none escapes the checks;
    # every broken file is reported in one error rather than the first alone.
    load_all(root)
    say(f"[2/{steps}] deflator (HM Treasury, 2021/22 prices)")
    built.tables["deflator_2021_22"] = validate("deflator_2021_22", deflator(root=root))
    results: dict[str, ClaimResult] = {}
    other_deflator: dict[str, ClaimResult] = {}
    for number, spec in enumerate(specs, start=3):
        say(f"[{number}/{steps}] {spec.figure}: {spec.title}")
        module = spec.load_module()
        table = module.build(root)
        built.tables[module.TABLE] = table
        results.update(module.claims(table))
        # Claims resting on raw rows the figure's table does not hold (quoted estimates, other years).
        if hasattr(module, "claims_from_raw"):
            results.update(module.claims_from_raw(root))
        other_deflator.update(_with_other_deflator(module, root))
    say(f"[{steps}/{steps}] ledger of published numbers")
    ledger = ledger_rows(published_numbers(root), results, planned_reasons(), other_deflator)
    built.ledger = validate("ledger", ledger)
    return built


def _with_other_deflator(module: FigureModule, root: Path | str | None) -> dict[str, ClaimResult]:
    """A figure's real-terms claims recomputed with HM Treasury's June 2023 deflator.

    The report names only "March 2023"; a finding that changes with the next edition of the
    same index is a finding about the deflator, and the ledger says so beside it.
    """
    claim_ids: tuple[str, ...] = getattr(module, "REAL_TERMS_CLAIMS", ())
    if not claim_ids:
        return {}
    recomputed = module.claims(module.build(root, deflator_edition=OTHER_DEFLATOR_EDITION))  # type: ignore[call-arg]
    return {cid: recomputed[cid] for cid in claim_ids}


def ledger(
    root: Path | str | None = None, *, figure: str | int | None = None, status: str | None = None
) -> pl.DataFrame:
    """Recompute every published number from data/raw and classify it.

    Args:
        root: Project root; found from the working directory if omitted.
        figure: Keep only this figure's claims ("fig7", or 7).
        status: Keep only claims with this status ("reproduced", "confirmed", "differs",
            "missing_input").

    Returns:
        The ledger table: one row per published number with ours, theirs, status and reason.

    Raises:
        KfError: If ``figure`` or ``status`` names nothing the ledger can hold.
    """
    table = build_tables(root).ledger
    assert table is not None, "build_tables always sets the ledger"
    return filter_ledger(table, figure=figure, status=status)


def since_report(root: Path | str | None = None) -> pl.DataFrame:
    """Whether each figure's statement still holds on the newest official data, built afresh.

    One row per figure: the statement, its value in the report's last year, the newest value and
    its year, the verdict (holds, reversed or cannot tell) and why, flags for forecast deflator
    years and breaks in series, and what checking the figure's published numbers found. See
    ``kfanalysis.since`` for the rules.
    """
    built = build_tables(root)
    assert built.ledger is not None, "build_tables always sets the ledger"
    return compare_since_report(built.tables, built.ledger)


def manifest(root: Path | str | None = None, outputs: dict[str, str] | None = None) -> bytes:
    """A record of what produced the outputs: package version, the hash of every raw file and output.

    Only values that depend on the inputs and the code are recorded (no clock time, no
    machine names), so the file is byte-identical whenever the inputs are. The output
    hashes let ``kfanalysis.outputs`` refuse a file edited after the build.

    Args:
        root: Project root; found from the working directory if omitted.
        outputs: SHA-256 of each output written beside the manifest, by file name.
    """
    paths = project_paths(root)
    record = {
        "kfanalysis_version": __version__,
        "raw_inputs_sha256": {p.name: sha256_of(p) for p in checksummed_files(paths)},
        "outputs_sha256": dict(sorted((outputs or {}).items())),
    }
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build(
    root: Path | str | None = None, out: Path | str | None = None, progress: Progress | None = _stderr
) -> list[Path]:
    """Rebuild data/processed (or ``out``) from data/raw, all files or none.

    Returns:
        The files written, in the order written.
    """
    paths = project_paths(root)
    if out is None:
        paths.require_writable(
            "rebuild data/processed", "write the outputs elsewhere with `kfanalysis build --out FOLDER`"
        )
    destination = Path(out) if out is not None else paths.processed
    built = build_tables(paths.root, progress)
    charts: dict[str, bytes] = {}
    for spec in built_figures():
        module = spec.load_module()
        charts[f"{module.TABLE}.png"] = png_bytes(module.plot(built.tables[module.TABLE], root=paths.root))
    assert built.ledger is not None
    with staged_outputs(destination) as staging:
        for name, table in built.tables.items():
            staging.add(f"{name}.csv", csv_bytes(table))
        for name, data in charts.items():
            staging.add(name, data)
        staging.add("ledger.csv", csv_bytes(built.ledger))
        staging.add(DATAPACKAGE, datapackage_bytes(paths.root))
        staging.add("manifest.json", manifest(paths.root, staging.sha256))
        written = [destination / n for n in staging.names]
    if progress:
        counts = summary(built.ledger)
        progress(
            f"wrote {len(written)} files to {paths.relative(destination)}; ledger: "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
    return written
