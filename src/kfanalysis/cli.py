"""The ``kfanalysis`` command: build outputs, check raw data, list and re-hash sources.

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
    return parser


def _build(args: argparse.Namespace) -> int:
    from kfanalysis.build import build

    build(args.root, args.out)
    return 0


def _check(args: argparse.Namespace) -> int:
    from kfanalysis.fields import TABLES
    from kfanalysis.load import load

    for name, spec in TABLES.items():
        if spec.is_raw:
            frame = load(name, args.root)
            print(f"ok  {spec.filename}: {frame.height} rows")
    return 0


def _status(args: argparse.Namespace) -> int:
    from kfanalysis.published import ledger, status_table

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    handlers = {"build": _build, "check": _check, "status": _status, "sources": _sources}
    try:
        return handlers[args.command](args)
    except KfError as exc:
        print(f"kfanalysis {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
