"""Read official files as their publishers lay them out, into the rows of data/raw.

One reader per publisher's layout. ``kfanalysis ingest READER --from FILE_OR_DIR``
finds which held edition (a ``[[source]]`` in sources.toml) each file is, by the
file's name among the edition's ``file_url``/``file_name`` (or ``--edition``),
runs the reader, and shows the review diff; ``--write`` writes data/raw and
sources.toml (the file's SHA-256 for the edition), then re-hashes data/raw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.errors import KfError
from kfanalysis.ingest import asc_overview, hmt_deflator, nhs_workforce, tac
from kfanalysis.ingest.base import Extract
from kfanalysis.sources import Source


@dataclass(frozen=True)
class Reader:
    """One publisher's file layout.

    Attributes:
        name: What the user types after ``kfanalysis ingest``.
        description: The publication and what is read from it, for ``--help``.
        suffixes: File types the reader opens.
        is_edition: Whether a source id in sources.toml is an edition this reader reads.
        read: (file, source id, show progress) -> the extracts, one per raw table.
    """

    name: str
    description: str
    suffixes: tuple[str, ...]
    is_edition: Callable[[str], bool]
    read: Callable[[Path, str, bool], list[Extract]]


READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader(
            "hmt-deflator",
            "HM Treasury GDP deflator workbook -> gdp_deflator (March 2023) or gdp_deflator_2023_06 "
            "(June 2023)",
            (".xlsx",),
            lambda sid: sid in hmt_deflator.EDITIONS,
            lambda path, sid, _: [hmt_deflator.read(path, sid)],
        ),
        Reader(
            "asc-overview",
            "NHS Digital Adult Social Care Overview data tables -> asc_activity (age bands, Tables 1 to 3)",
            (".xlsx",),
            lambda sid: sid in asc_overview.EDITIONS,
            lambda path, sid, _: [asc_overview.read(path, sid)],
        ),
        Reader(
            "nhs-workforce",
            "NHS Digital HCHS monthly headcount by staff group (CSV) -> doctors_workforce, nurses_workforce",
            (".csv",),
            lambda sid: sid in nhs_workforce.EDITIONS,
            lambda path, sid, _: nhs_workforce.read(path, sid),
        ),
        Reader(
            "tac",
            "NHS England Trust Accounts Consolidation data files ('All data', 'List of Providers') -> "
            "trust_accounts",
            (".xlsx",),
            lambda sid: sid.startswith("nhse_tac_"),
            lambda path, sid, progress: [tac.read(path, sid, progress)],
        ),
    )
}


def reader(name: str) -> Reader:
    """The reader called ``name``, or an error listing them."""
    if name not in READERS:
        raise KfError(f"no reader {name!r}\n  Fix: use one of {', '.join(READERS)}")
    return READERS[name]


def _files(source: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise KfError(f"{source}: no such file or folder\n  Fix: pass the downloaded file, or its folder")
    return sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def identify(
    read_with: Reader, files: list[Path], sources: dict[str, Source], edition: str | None
) -> list[tuple[Path, str]]:
    """Pair each file with the edition it is, by its name (or ``edition`` for a single file).

    In a folder, files whose name no edition knows are skipped for every reader but
    ``tac`` (a folder of TAC downloads should hold nothing else); a single file must be known.

    Raises:
        KfError: If a file's edition cannot be told, or ``edition`` is not one this reader reads.
    """
    editions = {sid: s for sid, s in sources.items() if read_with.is_edition(sid)}
    if edition is not None:
        if edition not in editions:
            raise KfError(
                f"{edition!r} is not an edition the {read_with.name} reader reads\n"
                f"  Fix: use one of {', '.join(editions) or '(none in sources.toml)'}"
            )
        if len(files) != 1:
            raise KfError(
                f"--edition names one file's edition, but {len(files)} files were found\n"
                "  Fix: pass the one file with --from"
            )
        return [(files[0], edition)]
    by_name = {name: sid for sid, s in editions.items() for name in s.file_names()}
    paired = []
    for path in files:
        if path.name in by_name:
            paired.append((path, by_name[path.name]))
        elif len(files) == 1 and len(editions) == 1:
            paired.append((path, next(iter(editions))))
        elif len(files) == 1 or read_with.name == "tac":
            known = "; ".join(
                f"{sid}: {', '.join(s.file_names()) or 'no file name recorded'}"
                for sid, s in editions.items()
            )
            raise KfError(
                f"{path}: expected the name of a file an edition in sources.toml names; found {path.name!r}\n"
                f"  Editions: {known}\n"
                "  Fix: pass --edition SOURCE_ID with this one file, or add its file_name to the edition"
            )
    if not paired:
        raise KfError(
            f"no file for the {read_with.name} reader found in the folder given\n"
            f"  Fix: expected one of {', '.join(sorted(by_name))}"
        )
    return paired


def extract(
    name: str, source: Path, sources: dict[str, Source], edition: str | None = None, progress: bool = False
) -> list[Extract]:
    """Run the named reader on a file or folder; return what it extracted, file by file."""
    read_with = reader(name)
    out: list[Extract] = []
    for path, sid in identify(read_with, _files(source, read_with.suffixes), sources, edition):
        out.extend(read_with.read(path, sid, progress))
    return out


__all__ = ["READERS", "Extract", "Reader", "extract", "identify", "reader"]
