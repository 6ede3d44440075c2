"""The kfanalysis command: build and verify outputs, check raw data, list and re-hash sources, audit them.

Every failure the user can cause (bad data, a read-only folder, a full disk) ends
with a message on stderr that says what and where, and exit code 1 (130 after
Ctrl-C); a traceback, shown only with --debug, is for a bug report.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kfanalysis.errors import KfError, run_reporting_failures

if TYPE_CHECKING:
    from kfanalysis.paths import ProjectPaths
    from kfanalysis.review import FileChanges
    from kfanalysis.sources import Source


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kfanalysis", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project root (default: found from the working directory or KFANALYSIS_ROOT)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on a failure, print the traceback as well as the one-line message",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="show the version, which copy of the data is in use and its manifest hash, then exit",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="rebuild data/processed and the ledger from data/raw")
    build.add_argument("--out", type=Path, default=None, help="write outputs here instead of data/processed")
    commands.add_parser("check", help="verify checksums and validate every raw table; write nothing")
    commands.add_parser("status", help="print the Markdown table of each figure's reproduction status")
    sources = commands.add_parser(
        "sources", help="list the official sources, or show one and the rows that cite it"
    )
    sources.add_argument(
        "source_id", nargs="?", metavar="SOURCE", help="a source id: show it and every table row citing it"
    )
    sources.add_argument(
        "--refresh-checksums",
        action="store_true",
        help="rewrite data/raw/SHA256SUMS after a deliberate edit, listing what changed",
    )
    sources.add_argument(
        "--readings",
        action="store_true",
        help="list every raw value with its source, locator, where it was read and the kind of reading, "
        "then the counts by kind",
    )
    _add_export(commands)
    fetch = commands.add_parser(
        "fetch",
        help="download the official files named in sources.toml into the cache and check their SHA-256",
    )
    fetch.add_argument(
        "source_ids", nargs="*", metavar="SOURCE", help="source ids (default: all with a file_url)"
    )
    fetch.add_argument("--cache-dir", type=Path, default=None, help=_CACHE_HELP)
    fetch.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    audit = commands.add_parser(
        "audit",
        help="compare every extract value that has an official file with that file; fail on a disagreement",
    )
    audit.add_argument(
        "--from-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="look for the official files under DIR (recursively, by file name) instead of the cache",
    )
    audit.add_argument("--cache-dir", type=Path, default=None, help=_CACHE_HELP)
    verify = commands.add_parser(
        "verify",
        help="build afresh into a temporary folder and compare with data/processed by content; "
        "fail naming each output that differs",
    )
    verify.add_argument(
        "fresh",
        nargs="?",
        type=Path,
        default=None,
        help="compare this folder of built outputs instead of building afresh",
    )
    verify.add_argument(
        "--against", type=Path, default=None, help="the outputs to compare with (default: data/processed)"
    )
    verify.add_argument(
        "--diff-dir",
        type=Path,
        default=None,
        help="where difference images of charts go (default: build/verify-diff)",
    )
    _add_ingest(commands)
    return parser


def _add_ingest(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from kfanalysis.ingest import READERS

    readers = "\n".join(f"  {r.name}: {r.description}" for r in READERS.values())
    ingest = commands.add_parser(
        "ingest",
        help="read an official file as published into data/raw rows; show the review diff (--write to write)",
        description=f"Readers:\n{readers}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ingest.add_argument(
        "reader", metavar="SOURCE", choices=list(READERS), help="the reader: " + ", ".join(READERS)
    )
    ingest.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="FILE_OR_DIR",
        help="the downloaded file(s)",
    )
    ingest.add_argument("--edition", default=None, help="the source id in sources.toml this one file is")
    ingest.add_argument("--write", action="store_true", help="write data/raw and sources.toml, then re-hash")
    ingest.add_argument("--no-progress", action="store_true", help="do not report progress on stderr")


_CACHE_HELP = "download cache (default: $KFANALYSIS_CACHE, else ~/.cache/kfanalysis)"


def _build(args: argparse.Namespace) -> int:
    from kfanalysis.pipeline import build

    build(args.root, args.out)
    return 0


def _check(args: argparse.Namespace) -> int:
    from kfanalysis.fields import TABLES
    from kfanalysis.loader import load_all

    for name, frame in load_all(args.root).items():
        print(f"ok  {TABLES[name].filename}: {frame.height} rows")
    return 0


def _status(args: argparse.Namespace) -> int:
    from kfanalysis.pipeline import ledger
    from kfanalysis.presentation import status_table

    print(status_table(ledger(args.root)), end="")
    return 0


def _sources(args: argparse.Namespace) -> int:
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources

    paths = project_paths(args.root)
    if args.refresh_checksums:
        return _refresh(paths)
    if args.readings:
        return _readings(paths)
    sources = read_sources(paths)
    if args.source_id is not None:
        return _one_source(args.source_id, sources, paths)
    for source in sources.values():
        print(_source_text(source))
    return 0


def _source_text(source: Source) -> str:
    covers = (
        f"\n  covers: {source.covers_from or '...'} to {source.covers_to or '...'}"
        if source.covers_from or source.covers_to
        else ""
    )
    return (
        f"{source.id}\n  {source.publisher}, {source.title}\n  edition: {source.edition}"
        f"\n  published: {source.date_published}; accessed: {source.date_accessed}\n  {source.url}{covers}"
    )


def _one_source(source_id: str, sources: dict[str, Source], paths: ProjectPaths) -> int:
    import difflib

    import polars as pl

    from kfanalysis.fields import TABLES
    from kfanalysis.loader import load

    if source_id not in sources:
        near = difflib.get_close_matches(source_id, list(sources), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(near)}? " if near else ""
        raise KfError(
            f"no source {source_id!r} in data/raw/sources.toml\n  Fix: {hint}"
            "run `kfanalysis sources` to list them."
        )
    source = sources[source_id]
    print(_source_text(source))
    for key in ("file_url", "file_name", "licence", "note"):
        if getattr(source, key):
            print(f"  {key}: {getattr(source, key)}")
    total = 0
    for name, spec in TABLES.items():
        if not spec.is_raw or "source_id" not in spec.columns:
            continue
        rows = load(name, paths.root).filter(pl.col("source_id") == source_id)
        if not rows.height:
            continue
        total += rows.height
        print(f"\n{spec.filename}: {rows.height} row(s)")
        shown = [c for c in spec.columns if c not in ("source_id", "read_at", "note")]
        for row in rows.select(shown).iter_rows(named=True):
            print("  " + "; ".join(f"{k}={v}" for k, v in row.items() if v is not None))
    if not total:
        print("\nno raw table row cites this source")
    return 0


class _VersionAction(argparse.Action):
    """``--version``: the package version and the data in use, found as every command finds it."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, *_: object) -> None:
        from kfanalysis import __version__
        from kfanalysis.datahome import data_home

        print(f"kfanalysis {__version__}")
        try:
            print(data_home(getattr(namespace, "root", None)).summary())
        except KfError as exc:
            print(f"data: none found ({str(exc).splitlines()[0]})")
        parser.exit()


def _readings(paths: ProjectPaths) -> int:
    import polars as pl

    from kfanalysis.readings import counts_by_kind, provenance

    readings = provenance(paths.root)
    shown = readings.select(
        "table", "row", "column", "value", "source_id", "reading_kind", "locator", "read_at"
    )
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
        print(shown)
        print(f"\n{readings.height} values, by kind of reading:")
    for kind, count in counts_by_kind(readings).iter_rows():
        print(f"  {count:>5}  {kind}")
    return 0


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="write a figure's table or the ledger as built, with plain labels, units and published "
        "precision, to CSV and/or XLSX",
    )
    export.add_argument("name", metavar="NAME", help="a built table, e.g. fig7_vacancies or ledger")
    export.add_argument("--xlsx", action="store_true", help="write an Excel workbook (NAME.xlsx)")
    export.add_argument("--csv", action="store_true", help="write a CSV file (NAME.csv); the default")
    export.add_argument(
        "--to", type=Path, default=Path("."), metavar="DIR", help="folder to write to (default: here)"
    )


def _export(args: argparse.Namespace) -> int:
    from kfanalysis.briefing import export

    formats = [f for f in ("csv", "xlsx") if getattr(args, f)] or ["csv"]
    for path in export(args.name, args.to, formats=formats, root=args.root):
        print(f"wrote {path}")
    return 0


def _print_changes(change: FileChanges) -> None:
    """One file's review: its summary line, then each row added (+), removed (-) and changed (~)."""
    print(change.summary())
    for key in change.added:
        print(f"  + {key}")
    for key in change.removed:
        print(f"  - {key}")
    for line in change.changed:
        print(f"  ~ {line}")


def _refresh(paths: ProjectPaths) -> int:
    from kfanalysis.errors import render_problems
    from kfanalysis.review import coverage_warnings, problems_before_refresh, review_edits
    from kfanalysis.sources import read_sources, refresh_checksums

    problems = problems_before_refresh(paths)  # checked before anything is written
    for change in review_edits(paths):
        _print_changes(change)
    if problems:
        raise KfError(
            f"{render_problems(problems)}\nSHA256SUMS was not changed: fix the problems above, "
            "then run `kfanalysis sources --refresh-checksums` again"
        )
    changed = refresh_checksums(paths)
    if not changed:
        print("SHA256SUMS already matches every raw file")
    for name, digest in sorted(changed.items()):
        print(f"updated {name}: {digest}")
    for warning in coverage_warnings(paths, read_sources(paths)):
        print(f"kfanalysis sources: warning: {warning}", file=sys.stderr)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from kfanalysis.fetch import fetch

    fetched = fetch(args.source_ids or None, args.cache_dir, progress=not args.no_progress, root=args.root)
    if not fetched:
        print("no source in data/raw/sources.toml has a file_url: nothing to download")
    unverified = [f.source_id for f in fetched.values() if not f.verified]
    if unverified:
        print(
            f"kfanalysis fetch: {len(unverified)} file(s) not verified (no file_sha256 in sources.toml): "
            f"{', '.join(unverified)}",
            file=sys.stderr,
        )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from kfanalysis.audit import audit

    result = audit(args.from_dir, args.cache_dir, root=args.root)
    disagree = result.filter(result["status"] == "disagree").height
    if disagree:
        print(
            f"kfanalysis audit: {disagree} value(s) disagree with the official files (listed above)",
            file=sys.stderr,
        )
        return 1
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from kfanalysis.ingest import extract
    from kfanalysis.ingest.apply import plan, write
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources

    paths = project_paths(args.root)
    extracts = extract(args.reader, args.source, read_sources(paths), args.edition, not args.no_progress)
    for item in extracts:
        print(
            f"{item.path.name}: {len(item.rows)} row(s) for {item.table} "
            f"({item.source_id}; sha256 {item.sha256})"
        )
    planned = plan(paths, extracts)
    for change in (p.changes for p in planned):
        _print_changes(change)
    if not args.write:
        print("nothing written (pass --write to write data/raw and sources.toml)")
        return 0
    if not write(planned):
        print("data/raw already holds exactly these rows; nothing written")
        return 0
    return _refresh(paths)


def _verify(args: argparse.Namespace) -> int:
    from kfanalysis.verify import blas_description, verify

    if args.fresh is None:  # this process builds, so its kernel is the one that computed the outputs
        print(f"building afresh into a temporary folder; {blas_description()}")
    result = verify(args.fresh, args.against, args.root, args.diff_dir)
    kinds = ", ".join(
        f"{sum(k == kind for k in result.compared.values())} {kind}"
        for kind in sorted(set(result.compared.values()))
    )
    print(
        f"all {len(result.compared)} outputs reproduced ({kinds}), within the tolerances in kfanalysis.verify"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    handlers = {
        "build": _build,
        "check": _check,
        "status": _status,
        "sources": _sources,
        "fetch": _fetch,
        "audit": _audit,
        "verify": _verify,
        "ingest": _ingest,
        "export": _export,
    }

    def run() -> int:
        code = handlers[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return code

    try:
        # KfError, OSError (a read-only folder, a full disk) and Ctrl-C: one line, exit 1 or 130.
        return run_reporting_failures(f"kfanalysis {args.command}", run, debug=args.debug)
    except BrokenPipeError:
        # The reader stopped early (`kfanalysis sources | head`): that is not an error. Point
        # stdout at nothing so Python's final flush does not raise again.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
