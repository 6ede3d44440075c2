"""The kfanalysis command: build outputs, check raw data, list and re-hash sources, audit them.

Every failure the user can cause ends with a message on stderr that says what
and where, and exit code 1; a traceback means a bug in kfanalysis.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kfanalysis.errors import KfError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kfanalysis", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project root (default: found from the working directory or KFANALYSIS_ROOT)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="rebuild data/processed and the ledger from data/raw")
    build.add_argument("--out", type=Path, default=None, help="write outputs here instead of data/processed")
    commands.add_parser("check", help="verify checksums and validate every raw table; write nothing")
    commands.add_parser("status", help="print the Markdown table of each figure's reproduction status")
    sources = commands.add_parser("sources", help="list the official sources")
    sources.add_argument(
        "--refresh-checksums",
        action="store_true",
        help="rewrite data/raw/SHA256SUMS after a deliberate edit, listing what changed",
    )
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
    return parser


_CACHE_HELP = "download cache (default: $KFANALYSIS_CACHE, else ~/.cache/kfanalysis)"


def _build(args: argparse.Namespace) -> int:
    from kfanalysis.pipeline import build

    build(args.root, args.out)
    return 0


def _check(args: argparse.Namespace) -> int:
    from kfanalysis.fields import TABLES
    from kfanalysis.loader import load

    for name, spec in TABLES.items():
        if spec.is_raw:
            frame = load(name, args.root)
            print(f"ok  {spec.filename}: {frame.height} rows")
    return 0


def _status(args: argparse.Namespace) -> int:
    from kfanalysis.pipeline import ledger
    from kfanalysis.presentation import status_table

    print(status_table(ledger(args.root)), end="")
    return 0


def _sources(args: argparse.Namespace) -> int:
    from kfanalysis.paths import project_paths
    from kfanalysis.sources import read_sources, refresh_checksums

    paths = project_paths(args.root)
    if args.refresh_checksums:
        changed = refresh_checksums(paths)
        if not changed:
            print("SHA256SUMS already matches every raw file")
        for name, change in sorted(changed.items()):
            print(f"updated {name}: {change}")
        return 0
    for source in read_sources(paths).values():
        print(
            f"{source.id}\n  {source.publisher}, {source.title}\n  edition: {source.edition}"
            f"\n  published: {source.date_published}; accessed: {source.date_accessed}\n  {source.url}"
        )
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
    }
    try:
        return handlers[args.command](args)
    except KfError as exc:
        print(f"kfanalysis {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
