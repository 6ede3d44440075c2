"""Check our extracts value by value against the official files they were read from.

data/raw holds numbers transcribed from official publications, and the
checksums only prove that they have not changed since; they cannot prove that
they were read correctly. The audit closes that gap where a publisher gives a
machine-readable file: it reads the file with ``kfanalysis.official`` and
compares every value our extract cites from it, within the precision our
extract shows (half a unit of its last digit, in exact decimal arithmetic), and
says for each: ``agree``, ``disagree``, ``not_in_file`` (the file has no value
for that year) or ``no_file`` (the file was not available to this run).

Files are found by name (see ``Source.file_names``) in the download cache, or
under any folder given as ``from_dir``, searched recursively. A file whose
SHA-256 differs from sources.toml is still compared, and the report says so:
the values, not the bytes, are what the audit is about.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

import polars as pl

from kfanalysis.errors import KfError
from kfanalysis.fetch import cache_root
from kfanalysis.loader import load
from kfanalysis.official import read_asc_overview_row, read_hmt_deflator, read_ons_financial_year_means
from kfanalysis.paths import ProjectPaths, project_paths
from kfanalysis.sources import Source, read_sources, sha256_of

STATUSES = ("agree", "disagree", "not_in_file", "no_file")
RESULT_SCHEMA = {
    "source_id": pl.String,
    "table": pl.String,
    "financial_year": pl.String,
    "column": pl.String,
    "selection": pl.String,
    "ours": pl.Float64,
    "official": pl.Float64,
    "status": pl.String,
}
HMT = "hmt_gdp_deflator_2023_03_qna"
ONS_QNA = "ons_qna_2023_03_31"
ASC_OVERVIEW = "nhsd_asc_overview_2022"


@dataclass(frozen=True)
class Check:
    """One column of one extract, compared with one official file.

    Attributes:
        source_id: The source whose file holds the official values.
        table: Our extract (a raw table name).
        column: The column of our extract to check.
        rows: Equality filters that pick the rows of our extract to check.
        read: Reads the official file into financial_year plus ``official_column``.
        official_column: The column of ``read``'s result to compare with.
    """

    source_id: str
    table: str
    column: str
    rows: tuple[tuple[str, str], ...]
    read: Callable[[Path], pl.DataFrame]
    official_column: str

    def selection(self) -> str:
        """The filters other than the source, as text, so two checks of one column can be told apart."""
        return "; ".join(f"{column} = {value}" for column, value in self.rows if column != "source_id")


CHECKS = (
    Check(
        HMT,
        "gdp_deflator",
        "gdp_deflator_index",
        (("source_id", HMT),),
        read_hmt_deflator,
        "gdp_deflator_index",
    ),
    Check(
        HMT,
        "gdp_deflator",
        "gdp_deflator_change_pct",
        (("source_id", HMT),),
        read_hmt_deflator,
        "gdp_deflator_change_pct",
    ),
    # HM Treasury's outturn is ONS L8GG averaged over the financial year: check it against ONS itself.
    Check(
        ONS_QNA,
        "gdp_deflator",
        "gdp_deflator_index",
        (("source_id", HMT),),
        read_ons_financial_year_means,
        "value",
    ),
    Check(
        ASC_OVERVIEW,
        "asc_expenditure",
        "gross_current_expenditure_gbp_bn",
        (("source_id", ASC_OVERVIEW), ("price_basis", "real terms, 2020/21 prices, NHS Digital")),
        read_asc_overview_row,
        "value",
    ),
    *(
        # NHS Digital's age bands, which Figure 4 adds up where no exact all-ages total was published.
        Check(
            ASC_OVERVIEW,
            "asc_activity",
            "activity_count",
            (("source_id", ASC_OVERVIEW), ("measure", measure)),
            partial(read_asc_overview_row, row_label=label, sheet=sheet),
            "value",
        )
        for measure, sheet, label in (
            (
                "requests for support from new clients, aged 18-64",
                "Table 1",
                "Number of new requests for support: Age 18-64",
            ),
            (
                "requests for support from new clients, aged 65 and over",
                "Table 1",
                "Number of new requests for support: Age 65 and over",
            ),
            (
                "long-term support during the year, aged 18-64",
                "Table 3",
                "Number receiving long-term support during the year: Age 18-64",
            ),
            (
                "long-term support during the year, aged 65 and over",
                "Table 3",
                "Number receiving long-term support during the year: Age 65 and over",
            ),
            (
                "short-term support to maximise independence (ST-Max), completed episodes, aged 18-64",
                "Table 2",
                "Number of completed episodes of ST-Max for new and existing clients: Age 18-64",
            ),
            (
                "short-term support to maximise independence (ST-Max), completed episodes, aged 65 and over",
                "Table 2",
                "Number of completed episodes of ST-Max for new and existing clients: Age 65 and over",
            ),
        )
    ),
)


@dataclass(frozen=True)
class OfficialFile:
    """Where a source's official file was found, and whether its bytes are the registry's.

    Attributes:
        source: The source.
        path: The file, or None if it was not found.
        sha256: Its SHA-256, if found.
    """

    source: Source
    path: Path | None
    sha256: str | None

    def describe(self, folder: Path) -> str:
        """One paragraph for the report: the file used and what its hash shows."""
        sid, expected = self.source.id, self.source.file_sha256
        if self.path is None:
            tried = ", ".join(repr(n) for n in self.source.file_names()) or "(no file name known)"
            fix = (
                "run `kfanalysis fetch`"
                if self.source.file_url
                else "no file_url is known: keep a copy and pass --from-dir"
            )
            return f"{sid}: NO FILE under {folder} (looked for {tried}); its values are not audited: {fix}"
        if expected is None:
            check = "sources.toml has no file_sha256 to compare it with"
        elif self.sha256 == expected:
            check = "SHA-256 matches sources.toml"
        else:
            check = (
                f"SHA-256 DIFFERS from sources.toml ({expected}): not the bytes the extract was read "
                "from (another edition, or a changed copy); values compared all the same"
            )
        return f"{sid}: {self.path}\n  sha256 {self.sha256}: {check}"


def _index_names(folder: Path) -> dict[str, list[Path]]:
    """Every file under ``folder`` by name, so each source's names are looked up once."""
    found: dict[str, list[Path]] = {}
    for parent, _, files in os.walk(folder):
        for name in files:
            found.setdefault(name, []).append(Path(parent) / name)
    return found


def locate(source: Source, index: dict[str, list[Path]]) -> OfficialFile:
    """Find ``source``'s file among the indexed files; prefer a copy whose hash matches the registry."""
    candidates = sorted({p for name in source.file_names() for p in index.get(name, [])})
    if not candidates:
        return OfficialFile(source, None, None)
    hashed = [(p, sha256_of(p)) for p in candidates]
    matching = [(p, h) for p, h in hashed if h == source.file_sha256]
    if matching:
        return OfficialFile(source, *matching[0])
    if len(hashed) > 1:
        listed = "\n".join(f"  - {p} (sha256 {h})" for p, h in hashed)
        raise KfError(
            f"{source.id}: {len(hashed)} files could be its official file, and none has the SHA-256 in "
            f"sources.toml:\n{listed}\n  Fix: pass a --from-dir that holds only the one to audit."
        )
    return OfficialFile(source, *hashed[0])


def _our_values(check: Check, paths: ProjectPaths) -> list[tuple[str, str]]:
    """(financial year, value as written) for the rows of our extract the check covers.

    The table is loaded first so its checksum and schema are verified; the value is
    then taken as the text in the file, because the digits shown set the tolerance.
    """
    load(check.table, paths.root)
    text = pl.read_csv(paths.raw / f"{check.table}.csv", infer_schema=False)
    for column, value in check.rows:
        text = text.filter(pl.col(column) == value)
    text = text.filter(pl.col(check.column).is_not_null())
    if text.height == 0:
        raise KfError(
            f"no rows of data/raw/{check.table}.csv match {dict(check.rows)}\n"
            "  Fix: update kfanalysis.audit.CHECKS to the source ids the extract now cites."
        )
    return list(zip(text["financial_year"], text[check.column], strict=True))


def within_shown_precision(ours: str, official: float) -> bool:
    """Whether ``official`` rounds to ``ours``: differs by at most half a unit of ours' last digit."""
    shown = Decimal(ours.strip())
    exponent = shown.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    tolerance = Decimal(5) * Decimal(10) ** -(decimals + 1)
    return abs(shown - Decimal(repr(official))) <= tolerance


def _compare(check: Check, ours: list[tuple[str, str]], official: pl.DataFrame | None) -> list[tuple]:
    values: dict[str, float | None] = {}
    if official is not None:
        values = dict(zip(official["financial_year"], official[check.official_column], strict=True))
    rows: list[tuple] = []
    for year, text in ours:
        theirs = values.get(year)
        if official is None:
            status = "no_file"
        elif theirs is None:
            status = "not_in_file"
        else:
            status = "agree" if within_shown_precision(text, theirs) else "disagree"
        rows.append(
            (check.source_id, check.table, year, check.column, check.selection(), float(text), theirs, status)
        )
    return rows


def audit(
    from_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    root: Path | str | None = None,
    quiet: bool = False,
) -> pl.DataFrame:
    """Compare every extract value that has an official file with that file, and print the result.

    Args:
        from_dir: Folder to search (recursively, by file name) for the official files;
            the download cache if omitted.
        cache_dir: The download cache (see ``kfanalysis.fetch.cache_root``).
        root: Project root; found from the working directory if omitted.
        quiet: Return the table without printing the report.

    Returns:
        One row per value: source_id (of the official file), table, financial_year,
        column, ours, official, status (one of ``STATUSES``).

    Raises:
        KfError: If ``from_dir`` is not a folder, no official file at all was found,
            a file cannot be read, or several candidate files are ambiguous.
    """
    paths = project_paths(root)
    sources = read_sources(paths)
    folder = Path(from_dir) if from_dir is not None else cache_root(cache_dir)
    if from_dir is not None and not folder.is_dir():
        raise KfError(f"{folder} is not a folder\n  Fix: pass the folder that holds the official files.")
    index = _index_names(folder) if folder.is_dir() else {}
    files = {sid: locate(sources[sid], index) for sid in dict.fromkeys(c.source_id for c in CHECKS)}
    read: dict[tuple[str, Callable[[Path], pl.DataFrame]], pl.DataFrame] = {}
    rows: list[tuple] = []
    for check in CHECKS:
        found = files[check.source_id].path
        official = None
        if found is not None:
            key = (check.source_id, check.read)
            if key not in read:
                read[key] = check.read(found)
            official = read[key]
        rows.extend(_compare(check, _our_values(check, paths), official))
    result = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    if all(f.path is None for f in files.values()):
        raise KfError(
            f"none of the official files is under {folder}, so nothing was compared\n"
            "  Fix: run `kfanalysis fetch` first, or pass --from-dir FOLDER with copies of the files."
        )
    if not quiet:
        print(report(result, list(files.values()), folder))
    return result


def report(result: pl.DataFrame, files: list[OfficialFile], folder: Path) -> str:
    """The printed audit: files used, every value compared, then a summary and any disagreement."""
    parts = ["Official files:"] + [f.describe(folder) for f in files] + [""]
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        tbl_formatting="ASCII_MARKDOWN",
        tbl_width_chars=260,
        fmt_str_lengths=80,
        fmt_float="full",
    ):
        parts.append(str(result))
    counts = {s: result.filter(pl.col("status") == s).height for s in STATUSES}
    parts.append("")
    parts.append(
        f"{result.height} values: {counts['agree']} agree, {counts['disagree']} disagree, "
        f"{counts['not_in_file']} not in the file, {counts['no_file']} not audited (no file)"
    )
    for row in result.filter(pl.col("status") == "disagree").iter_rows(named=True):
        parts.append(
            f"DISAGREE {row['table']} {row['financial_year']} {row['column']}"
            + (f" ({row['selection']})" if row["selection"] else "")
            + f": ours {row['ours']!r}, official {row['official']!r} ({row['source_id']})"
        )
    return "\n".join(parts)
