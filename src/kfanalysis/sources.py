"""The registry of official publications and the checksums of the raw files.

Two promises rest on this module. First, every value in data/raw names a
publication here, with its edition, URL, licence and the date it was read.
Second, no raw file is parsed unless its bytes match data/raw/SHA256SUMS, so a
stray keystroke in a CSV stops the build instead of moving a figure.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kfanalysis.errors import ChecksumError, Problem, RawDataError
from kfanalysis.paths import ProjectPaths, project_paths
from kfanalysis.periods import CANONICAL_PATTERN
from kfanalysis.write import write_text_atomic

REQUIRED_KEYS = ("title", "publisher", "edition", "date_published", "url", "licence", "date_accessed")
OPTIONAL_KEYS = ("file_url", "file_name", "file_sha256", "covers_from", "covers_to", "note")
#: Files in data/raw that SHA256SUMS covers.
CHECKSUMMED_SUFFIXES = (".csv", ".toml")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FINANCIAL_YEAR = re.compile(CANONICAL_PATTERN)


@dataclass(frozen=True)
class Source:
    """One official publication (one edition) that raw values are read from.

    Attributes:
        id: Short identifier used as ``source_id`` in the extracts.
        title: Title as the publisher gives it.
        publisher: Organisation that published it.
        edition: Edition or release, e.g. "March 2023 (Quarterly National Accounts)".
        date_published: ISO date (or year-month) the edition was published.
        url: Landing page of the publication.
        licence: Licence of the data, e.g. "Open Government Licence v3.0".
        date_accessed: ISO date on which the values were read.
        file_url: Direct URL of the machine-readable file, where one exists.
        file_name: Name of a copy of that file kept outside the project (an archive, a
            research folder), so ``kfanalysis audit --from-dir`` can find it; the download's
            own name, taken from ``file_url``, is looked for too.
        file_sha256: SHA-256 of the file, so a download or a copy can be told apart from the
            bytes the extracts were read from. Where it was taken from an archived copy rather
            than the official download, ``note`` says so.
        covers_from: Earliest financial year the edition holds, where the publication itself
            makes that plain (a workbook's first row); otherwise None.
        covers_to: Latest financial year the edition holds (a release "for 2022-23" cannot
            hold 2023/24). ``kfanalysis sources --refresh-checksums`` warns about a row citing
            the edition for a year outside ``covers_from`` to ``covers_to``.
        note: Anything a reader must know about how the source was used.
    """

    id: str
    title: str
    publisher: str
    edition: str
    date_published: str
    url: str
    licence: str
    date_accessed: str
    file_url: str | None = None
    file_name: str | None = None
    file_sha256: str | None = None
    covers_from: str | None = None
    covers_to: str | None = None
    note: str | None = None

    def covers(self, year: str) -> bool:
        """Whether the edition can hold a value for financial year ``year`` (True when undeclared)."""
        from kfanalysis.periods import FinancialYear

        fy = FinancialYear.parse(year)
        if self.covers_from is not None and fy < FinancialYear.parse(self.covers_from):
            return False
        return not (self.covers_to is not None and fy > FinancialYear.parse(self.covers_to))

    def file_names(self) -> list[str]:
        """Names the official file may have on disk: the download's own name, then ``file_name``."""
        names: list[str] = []
        if self.file_url:
            names.append(url_file_name(self.file_url))
        if self.file_name and self.file_name not in names:
            names.append(self.file_name)
        return names


def url_file_name(url: str) -> str:
    """The file name at the end of a URL, with %-escapes decoded (``a%20b.xlsx`` -> ``a b.xlsx``)."""
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def read_sources(paths: ProjectPaths | None = None) -> dict[str, Source]:
    """Read and check data/raw/sources.toml.

    Returns:
        Sources keyed by id, in file order.

    Raises:
        RawDataError: If an entry lacks a required key or has an unknown one.
    """
    paths = paths or project_paths()
    verify_checksum(paths.sources_toml, paths)
    return parse_sources(paths)


def parse_sources(paths: ProjectPaths) -> dict[str, Source]:
    """Read and check data/raw/sources.toml without its checksum (``read_sources`` checks it first).

    Used on its own only to check an edited sources.toml before its checksum is refreshed.

    Raises:
        RawDataError: If the file is not UTF-8 TOML, or an entry lacks a required key or has an unknown one.
    """
    rel = paths.relative(paths.sources_toml)
    data = _toml(paths.sources_toml.read_bytes(), rel)
    entries = data.get("source", [])
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    allowed = {"id", *REQUIRED_KEYS, *OPTIONAL_KEYS}
    for position, entry in enumerate(entries, start=1):
        sid = entry.get("id", f"#{position}")
        missing = [k for k in ("id", *REQUIRED_KEYS) if not str(entry.get(k, "")).strip()]
        unknown = sorted(set(entry) - allowed)
        if missing:
            problems.append(
                Problem(
                    rel,
                    f"[[source]] {sid} lacks {', '.join(missing)}",
                    "add the missing keys; every source needs " + ", ".join(REQUIRED_KEYS),
                )
            )
        if unknown:
            problems.append(
                Problem(
                    rel,
                    f"[[source]] {sid} has unknown key(s) {', '.join(unknown)}",
                    "remove them or add them to kfanalysis.sources.Source",
                )
            )
        if sid in sources:
            problems.append(Problem(rel, f"source id {sid!r} appears twice", "give each edition its own id"))
        bad = _bad_file_keys(entry)
        problems.extend(Problem(rel, f"[[source]] {sid}: {what}", fix) for what, fix in bad)
        if not missing and not unknown and not bad:
            sources[sid] = Source(**{k: entry[k] for k in entry})
    if problems:
        raise RawDataError(problems)
    return sources


def _toml(data: bytes, rel: str) -> dict[str, Any]:
    """Parse TOML bytes, naming the line and column of a syntax error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RawDataError(
            [Problem(rel, "file is not UTF-8 text", "save it as UTF-8 without a byte order mark", line=line)]
        ) from exc
    if text.startswith("\ufeff"):
        raise RawDataError(
            [Problem(rel, "file starts with a byte order mark", "save it as UTF-8 without BOM", line=1)]
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "syntax error"
        error_line = int(where.group(1)) if where else None
        at = f" at character {where.group(2)} of the line" if where else ""
        raise RawDataError(
            [
                Problem(
                    rel,
                    f"not valid TOML: {what}{at}",
                    "correct the syntax there (text values need double quotes; each entry starts "
                    "with [[source]])",
                    line=error_line,
                )
            ]
        ) from exc


def _bad_file_keys(entry: dict[str, object]) -> list[tuple[str, str]]:
    """Check the optional file keys that fetch and audit act on, so a typo fails here, not mid-download."""
    bad: list[tuple[str, str]] = []
    digest = entry.get("file_sha256")
    if digest is not None and not (isinstance(digest, str) and _SHA256.match(digest)):
        bad.append(
            (f"file_sha256 {digest!r} is not a SHA-256", "write 64 lowercase hex digits, as sha256sum prints")
        )
    name = entry.get("file_name")
    if name is not None and not (isinstance(name, str) and name.strip() and not re.search(r"[/\\]", name)):
        bad.append((f"file_name {name!r} is not a bare file name", "give the name only, without a folder"))
    for key in ("covers_from", "covers_to"):
        value = entry.get(key)
        if value is not None and not (isinstance(value, str) and _FINANCIAL_YEAR.match(value)):
            bad.append((f"{key} {value!r} is not a financial year", "write it like 2021/22"))
    url = entry.get("file_url")
    if url is not None and not (isinstance(url, str) and re.match(r"^https?://[^/]+/.+", url)):
        bad.append(
            (f"file_url {url!r} is not a web address of a file", "give the full http(s) URL of the file")
        )
    return bad


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_checksums(paths: ProjectPaths) -> dict[str, str]:
    """Read SHA256SUMS (``sha256sum`` format) into {file name: hex digest}."""
    if not paths.checksums.is_file():
        raise ChecksumError(
            [
                Problem(
                    paths.relative(paths.checksums),
                    "file is missing",
                    "run `kfanalysis sources --refresh-checksums` and commit it",
                )
            ]
        )
    sums: dict[str, str] = {}
    for number, line in enumerate(paths.checksums.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ChecksumError(
                [
                    Problem(
                        paths.relative(paths.checksums),
                        f"malformed line: {line!r}",
                        "regenerate it with `kfanalysis sources --refresh-checksums`",
                        line=number,
                    )
                ]
            )
        sums[name.strip()] = digest
    return sums


def verify_checksum(path: Path, paths: ProjectPaths | None = None) -> None:
    """Check one raw file against SHA256SUMS before anything reads it.

    Raises:
        ChecksumError: If the file is not listed, or its bytes have changed.
    """
    paths = paths or project_paths()
    rel = paths.relative(path)
    sums = read_checksums(paths)
    expected = sums.get(path.name)
    if expected is None:
        raise ChecksumError(
            [
                Problem(
                    rel,
                    "is not listed in data/raw/SHA256SUMS, so its contents cannot be trusted",
                    "if the file is meant to be there, run `kfanalysis sources --refresh-checksums` and "
                    "commit the new SHA256SUMS with it",
                )
            ]
        )
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            [
                Problem(
                    rel,
                    f"checksum mismatch: SHA256SUMS expects {expected}, the file has {actual}",
                    "if you changed the file on purpose, check every edited value against its source, then "
                    "run `kfanalysis sources --refresh-checksums`; otherwise restore it with "
                    f"`git checkout -- {rel}`",
                )
            ]
        )


def checksummed_files(paths: ProjectPaths) -> list[Path]:
    """The raw files that SHA256SUMS must cover, sorted by name."""
    return sorted(p for p in paths.raw.iterdir() if p.is_file() and p.suffix in CHECKSUMMED_SUFFIXES)


def refresh_checksums(paths: ProjectPaths | None = None) -> dict[str, str]:
    """Rewrite SHA256SUMS from the files as they are now, after a deliberate edit.

    Returns:
        {file name: "<old digest or new> -> <new digest or removed>"} for every file whose
        digest changed, appeared or disappeared.
    """
    paths = paths or project_paths()
    paths.require_writable(
        "rewrite data/raw/SHA256SUMS", "edit the raw files in a checkout, then refresh the checksums there"
    )
    old = read_checksums(paths) if paths.checksums.is_file() else {}
    new = {p.name: sha256_of(p) for p in checksummed_files(paths)}
    text = "".join(f"{digest}  {name}\n" for name, digest in sorted(new.items()))
    write_text_atomic(paths.checksums, text)
    changed = {
        name: f"{old.get(name, 'new')} -> {digest}" for name, digest in new.items() if old.get(name) != digest
    }
    changed.update({name: f"{digest} -> removed" for name, digest in old.items() if name not in new})
    return changed
