"""Download the official files named in sources.toml into a cache outside the repository.

The audit (``kfanalysis audit``) needs the publishers' own files, but those
files are not ours to commit and can be large, so they live in a per-user
cache: ``$KFANALYSIS_CACHE`` if set, else ``~/.cache/kfanalysis``, one folder per
source id. pooch does the HTTP transfer (with a progress bar when ``tqdm`` is
installed); the SHA-256 check is done here, after the transfer and before the
file takes its final name, so that:

- a file whose hash differs from ``file_sha256`` in sources.toml is deleted and
  reported with both hashes and its URL, and never sits in the cache under its
  real name;
- a source with no recorded hash is never trusted silently: its first download
  is reported with the hash it has, which is written beside it in the cache and
  returned, so a person can check it and record it in sources.toml.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from kfanalysis.errors import KfError
from kfanalysis.paths import ProjectPaths, project_paths
from kfanalysis.sources import Source, read_sources, sha256_of, url_file_name

CACHE_ENV_VAR = "KFANALYSIS_CACHE"
#: Seconds to wait for the server to answer before giving up on a download.
TIMEOUT_S = 120


@dataclass(frozen=True)
class Fetched:
    """One official file in the cache.

    Attributes:
        source_id: The source it belongs to.
        url: Where it was downloaded from.
        path: Where it is in the cache.
        sha256: The SHA-256 of its bytes.
        verified: True if that hash equals ``file_sha256`` in sources.toml; False if the
            registry has no hash for it yet (a mismatch is an error, never a result).
        downloaded: True if it was downloaded by this call, False if it was already cached.
    """

    source_id: str
    url: str
    path: Path
    sha256: str
    verified: bool
    downloaded: bool


def cache_root(cache_dir: Path | str | None = None) -> Path:
    """The download cache: ``cache_dir``, else ``$KFANALYSIS_CACHE``, else ``~/.cache/kfanalysis``."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kfanalysis"


def cached_path(source: Source, cache_dir: Path | str | None = None) -> Path:
    """Where ``source``'s download lives in the cache (whether or not it is there yet)."""
    if not source.file_url:
        raise KfError(
            f"source {source.id} has no file_url in data/raw/sources.toml, so it has no cached file"
        )
    return cache_root(cache_dir) / source.id / url_file_name(source.file_url)


def _outside_repository(cache: Path, paths: ProjectPaths) -> None:
    try:
        cache.resolve().relative_to(paths.root.resolve())
    except ValueError:
        return
    raise KfError(
        f"the download cache {cache} is inside the project at {paths.root}\n"
        f"  Fix: official files are not committed; point {CACHE_ENV_VAR} (or --cache-dir) outside it."
    )


def _selected(sources: dict[str, Source], source_ids: list[str] | None) -> list[Source]:
    if source_ids is None:
        return [s for s in sources.values() if s.file_url]
    unknown = [sid for sid in source_ids if sid not in sources]
    if unknown:
        raise KfError(
            f"unknown source id(s): {', '.join(unknown)}\n"
            "  Fix: use an id from data/raw/sources.toml (`kfanalysis sources` lists them)."
        )
    no_url = [sid for sid in source_ids if not sources[sid].file_url]
    if no_url:
        raise KfError(
            f"source(s) {', '.join(no_url)} have no file_url in data/raw/sources.toml, so there is nothing "
            "to download\n  Fix: add the official download URL as file_url, or keep a copy of the file in "
            "a folder and run `kfanalysis audit --from-dir FOLDER`."
        )
    return [sources[sid] for sid in source_ids]


def fetch(
    source_ids: list[str] | None = None,
    cache_dir: Path | str | None = None,
    progress: bool = True,
    root: Path | str | None = None,
) -> dict[str, Fetched]:
    """Download each source's ``file_url`` into the cache and check its SHA-256.

    A file already in the cache is not downloaded again if its hash still equals
    the registry's; one that no longer does is downloaded afresh.

    Args:
        source_ids: Sources to fetch; every source with a ``file_url`` if omitted.
        cache_dir: The cache folder (see :func:`cache_root`).
        progress: Show a progress bar while downloading (needs ``tqdm``; skipped without it).
        root: Project root; found from the working directory if omitted.

    Returns:
        {source id: what is now in the cache}, in registry order. Entries with
        ``verified=False`` have no hash in sources.toml yet: check the file, then
        record their ``sha256`` as ``file_sha256``.

    Raises:
        KfError: For an unknown source, a source without a URL, a failed download or a hash
            that differs from sources.toml (the file is deleted first).
    """
    paths = project_paths(root)
    cache = cache_root(cache_dir)
    _outside_repository(cache, paths)
    results: dict[str, Fetched] = {}
    for source in _selected(read_sources(paths), source_ids):
        results[source.id] = _fetch_one(source, cache, progress)
    return results


def _fetch_one(source: Source, cache: Path, progress: bool) -> Fetched:
    assert source.file_url is not None
    target = cached_path(source, cache)
    if target.is_file():
        digest = sha256_of(target)
        if source.file_sha256 is None:
            return _unverified(source, target, digest, downloaded=False)
        if digest == source.file_sha256:
            print(f"{source.id}: in the cache, SHA-256 verified: {target}")
            return Fetched(source.id, source.file_url, target, digest, verified=True, downloaded=False)
        print(f"{source.id}: the cached copy's SHA-256 differs from sources.toml; downloading it again")
        target.unlink()
    partial = _download(source, target, progress)
    digest = sha256_of(partial)
    if source.file_sha256 is not None and digest != source.file_sha256:
        partial.unlink(missing_ok=True)
        raise KfError(
            f"{source.id}: the file downloaded from {source.file_url} has SHA-256 {digest}, but "
            f"data/raw/sources.toml expects {source.file_sha256}; the download was deleted\n"
            "  Fix: if the publisher has replaced the file, download it yourself, audit its values with "
            "`kfanalysis audit --from-dir FOLDER`, and only then record the new file_sha256 (or add the "
            "new edition as a new source); otherwise try again later."
        )
    os.replace(partial, target)
    if source.file_sha256 is None:
        return _unverified(source, target, digest, downloaded=True)
    print(f"{source.id}: downloaded, SHA-256 verified: {target}")
    return Fetched(source.id, source.file_url, target, digest, verified=True, downloaded=True)


def _download(source: Source, target: Path, progress: bool) -> Path:
    """Transfer the file to a temporary name beside ``target``; return that path."""
    import pooch
    import requests

    assert source.file_url is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)  # pooch would take a leftover file for a finished download
    bar = progress and importlib.util.find_spec("tqdm") is not None
    print(f"{source.id}: downloading {source.file_url}", flush=True)
    downloader = pooch.HTTPDownloader(progressbar=bar, timeout=TIMEOUT_S)
    # pooch would log its own advice about known_hash, which does not apply: the caller checks the hash.
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        pooch.retrieve(
            source.file_url, known_hash=None, fname=partial.name, path=partial.parent, downloader=downloader
        )
    except (requests.RequestException, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise KfError(
            f"{source.id}: could not download {source.file_url} ({exc})\n"
            "  Fix: check the network connection and that the URL in data/raw/sources.toml still works."
        ) from exc
    finally:
        logger.setLevel(level)
    return partial


def _unverified(source: Source, target: Path, digest: str, downloaded: bool) -> Fetched:
    """Record and report the hash of a file the registry has no hash for; never pass it silently."""
    record = target.with_name(f"{target.name}.sha256")
    first = record.read_text(encoding="utf-8").split()[0] if record.is_file() else None
    if first is None:
        record.write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    elif first != digest:
        print(f"{source.id}: WARNING the file's SHA-256 changed since it was first downloaded ({first})")
    print(
        f"{source.id}: NOT VERIFIED, sources.toml has no file_sha256 for it; the file has SHA-256\n"
        f"  {digest}\n  Check {target} against the publication, then add to its [[source]] entry:\n"
        f'  file_sha256 = "{digest}"'
    )
    assert source.file_url is not None
    return Fetched(source.id, source.file_url, target, digest, verified=False, downloaded=downloaded)
