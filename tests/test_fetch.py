"""Downloading the official files: hash checks, the cache, and first downloads with no known hash.

Every download here is served by an HTTP server on 127.0.0.1 that the test
starts and stops; a guard fails any test that tries to connect anywhere else.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
import pytest

from kfanalysis.audit import audit
from kfanalysis.cli import main
from kfanalysis.errors import KfError, RawDataError
from kfanalysis.fetch import CACHE_ENV_VAR, cache_root, fetch
from kfanalysis.paths import project_paths
from kfanalysis.sources import read_sources, refresh_checksums

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"
ASC_FILE = SHARED / "fig4" / "ASC_OVERVIEW_DATA_TABLES_TEMPLATE_21-22.xlsx"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
GOOD = b"financial_year,value\n2021/22,100\n"
TAMPERED = b"financial_year,value\n2021/22,101\n"
NEW = b"financial_year,value\n2022/23,105.7\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that is not to this machine, and keep proxies out of the way."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise AssertionError(f"a test tried to connect to {address}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


class _Handler(http.server.SimpleHTTPRequestHandler):
    timeout = 10  # a stuck client cannot hold the server thread for long
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """(base URL, folder it serves, paths requested so far), on 127.0.0.1, stopped after the test."""
    folder = tmp_path / "www"
    folder.mkdir()
    log: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": log})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder, log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_guard_stops_connections_beyond_this_machine() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(AssertionError):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: refused by the guard before any packet is sent


def _add_sources(root: Path, entries: list[dict[str, str]]) -> None:
    """Append [[source]] entries to a project copy's sources.toml and re-hash it."""
    text = ""
    for entry in entries:
        fields = {
            "title": "Test file",
            "publisher": "Test",
            "edition": "test",
            "date_published": "2024-01-01",
            "url": "https://example.org/landing",
            "licence": "Open Government Licence v3.0",
            "date_accessed": "2024-01-01",
            **entry,
        }
        text += "\n[[source]]\n" + "".join(f'{key} = "{value}"\n' for key, value in fields.items())
    toml = root / "data" / "raw" / "sources.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + text, encoding="utf-8")
    refresh_checksums(project_paths(root))


@pytest.fixture
def files(served: tuple[str, Path, list[str]], project: Path) -> tuple[str, list[str]]:
    """A project whose registry names three files on the local server: good, tampered, and new."""
    base, folder, log = served
    (folder / "good.csv").write_bytes(GOOD)
    (folder / "tampered.csv").write_bytes(TAMPERED)
    (folder / "new.csv").write_bytes(NEW)
    _add_sources(
        project,
        [
            {"id": "test_good", "file_url": f"{base}/good.csv", "file_sha256": _sha256(GOOD)},
            {"id": "test_tampered", "file_url": f"{base}/tampered.csv", "file_sha256": _sha256(GOOD)},
            {"id": "test_new", "file_url": f"{base}/new.csv"},
            {"id": "test_missing", "file_url": f"{base}/missing.csv", "file_sha256": _sha256(GOOD)},
        ],
    )
    return base, log


def _files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_good_file_downloads_verifies_and_is_then_served_from_the_cache(
    files: tuple[str, list[str]], project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, log = files
    cache = tmp_path / "cache"
    got = fetch(["test_good"], cache_dir=cache, progress=False, root=project)["test_good"]
    assert (got.verified, got.downloaded, got.sha256) == (True, True, _sha256(GOOD))
    assert got.path == cache / "test_good" / "good.csv" and got.path.read_bytes() == GOOD
    assert got.url == f"{base}/good.csv"
    assert "test_good: downloaded, SHA-256 verified" in capsys.readouterr().out
    assert _files_in(cache) == ["good.csv"]  # no partial file, no unverified-hash record

    again = fetch(["test_good"], cache_dir=cache, progress=False, root=project)["test_good"]
    assert (again.verified, again.downloaded) == (True, False)
    assert log == ["/good.csv"]  # served from the cache the second time

    got.path.write_bytes(TAMPERED)  # the cached copy changed behind our back
    fixed = fetch(["test_good"], cache_dir=cache, progress=False, root=project)["test_good"]
    assert (fixed.verified, fixed.downloaded) == (True, True)
    assert fixed.path.read_bytes() == GOOD
    assert "differs from sources.toml; downloading it again" in capsys.readouterr().out


def test_a_tampered_file_is_rejected_and_deleted(
    files: tuple[str, list[str]], project: Path, tmp_path: Path
) -> None:
    base, _ = files
    cache = tmp_path / "cache"
    with pytest.raises(KfError) as exc:
        fetch(["test_tampered"], cache_dir=cache, progress=False, root=project)
    message = str(exc.value)
    assert f"expects {_sha256(GOOD)}" in message
    assert f"has SHA-256 {_sha256(TAMPERED)}" in message
    assert f"{base}/tampered.csv" in message
    assert "the download was deleted" in message and "Fix:" in message
    assert _files_in(cache) == []


def test_cli_fetch_fails_on_a_tampered_file(
    files: tuple[str, list[str]], project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--root", str(project), "fetch", "--cache-dir", str(tmp_path / "cache"), "--no-progress"]
    assert main([*args, "test_good", "test_tampered"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kfanalysis fetch: test_tampered:")
    assert _sha256(GOOD) in err and _sha256(TAMPERED) in err and "/tampered.csv" in err
    assert _files_in(tmp_path / "cache") == ["good.csv"]  # the good one, fetched first, stays
    assert main([*args, "test_good"]) == 0


def test_a_first_download_with_no_known_hash_is_reported_not_trusted(
    files: tuple[str, list[str]], project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    got = fetch(["test_new"], cache_dir=cache, progress=False, root=project)["test_new"]
    assert (got.verified, got.downloaded, got.sha256) == (False, True, _sha256(NEW))
    out = capsys.readouterr().out
    assert "test_new: NOT VERIFIED" in out
    assert f'file_sha256 = "{_sha256(NEW)}"' in out
    record = cache / "test_new" / "new.csv.sha256"
    assert record.read_text(encoding="utf-8") == f"{_sha256(NEW)}  new.csv\n"

    # still reported on every later run, and the CLI says so on stderr
    assert (
        main(["--root", str(project), "fetch", "test_new", "--cache-dir", str(cache), "--no-progress"]) == 0
    )
    captured = capsys.readouterr()
    assert "test_new: NOT VERIFIED" in captured.out
    assert "1 file(s) not verified (no file_sha256 in sources.toml): test_new" in captured.err

    # a cached file that changed since its first download is flagged
    got.path.write_bytes(GOOD)
    fetch(["test_new"], cache_dir=cache, progress=False, root=project)
    assert "changed since it was first downloaded" in capsys.readouterr().out


def test_a_failed_download_says_which_url(
    files: tuple[str, list[str]], project: Path, tmp_path: Path
) -> None:
    base, _ = files
    with pytest.raises(KfError, match=rf"test_missing: could not download {base}/missing.csv .*404"):
        fetch(["test_missing"], cache_dir=tmp_path / "cache", progress=False, root=project)
    assert _files_in(tmp_path / "cache") == []


def test_fetch_refuses_unknown_sources_and_sources_without_a_url(project: Path, tmp_path: Path) -> None:
    with pytest.raises(KfError, match=r"unknown source id\(s\): no_such_source"):
        fetch(["no_such_source"], cache_dir=tmp_path / "cache", root=project)
    with pytest.raises(KfError, match=r"hmt_gdp_deflator_2023_03_qna have no file_url.*\n.*--from-dir"):
        fetch(["hmt_gdp_deflator_2023_03_qna"], cache_dir=tmp_path / "cache", root=project)


def test_the_cache_stays_outside_the_repository(project: Path) -> None:
    with pytest.raises(KfError, match=r"inside the project"):
        fetch(["nhsd_asc_overview_2022"], cache_dir=project / "data" / "cache", root=project)


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(CACHE_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "kfanalysis"
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "elsewhere"))
    assert cache_root() == tmp_path / "elsewhere"
    assert cache_root(tmp_path / "given") == tmp_path / "given"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("file_sha256", "ABC123", "is not a SHA-256"),
        ("file_name", "round2/copy.xlsx", "is not a bare file name"),
        ("file_url", "files.example.org/data.xlsx", "is not a web address of a file"),
    ],
)
def test_the_registry_rejects_malformed_file_keys(project: Path, key: str, value: str, message: str) -> None:
    _add_sources(project, [{"id": "test_bad", key: value}])
    with pytest.raises(RawDataError, match=rf"test_bad: {key} '.*' {message}"):
        read_sources(project_paths(project))


def test_every_official_file_key_in_the_registry_is_well_formed(project: Path) -> None:
    sources = read_sources(project_paths(project))
    for sid in ("hmt_gdp_deflator_2023_03_qna", "ons_qna_2023_03_31", "nhsd_asc_overview_2022"):
        assert sources[sid].file_sha256 and sources[sid].file_name, sid
        # a hash taken from an archived copy must say so
        assert "not verified against" in (sources[sid].note or ""), sid


@pytest.mark.shared
@pytest.mark.skipif(not ASC_FILE.is_file(), reason=f"{ASC_FILE} is not beside the checkout")
def test_fetch_then_audit_with_a_real_file(
    served: tuple[str, Path, list[str]], project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real NHS Digital workbook, served locally under its official URL path, then audited."""
    base, folder, _ = served
    official = "75/518E82/Adult Social Care Statistics in England_ An Overview - Data Tables.xlsx"
    (folder / official).parent.mkdir(parents=True)
    shutil.copy2(ASC_FILE, folder / official)
    toml = project / "data" / "raw" / "sources.toml"
    text = toml.read_text(encoding="utf-8")
    assert text.count("https://files.digital.nhs.uk/75/518E82/") == 1
    toml.write_text(text.replace("https://files.digital.nhs.uk", base), encoding="utf-8")
    refresh_checksums(project_paths(project))

    cache = tmp_path / "cache"
    args = ["--root", str(project), "fetch", "nhsd_asc_overview_2022", "--cache-dir", str(cache)]
    assert main([*args, "--no-progress"]) == 0
    assert (cache / "nhsd_asc_overview_2022" / Path(official).name).read_bytes() == ASC_FILE.read_bytes()
    assert "nhsd_asc_overview_2022: downloaded, SHA-256 verified" in capsys.readouterr().out

    result = audit(cache_dir=cache, root=project, quiet=True)
    asc = result.filter(pl.col("source_id") == "nhsd_asc_overview_2022")
    assert asc.height > 0 and asc["status"].unique().to_list() == ["agree"]
    # the deflator's files have no URL, so they are not in the cache: reported, not hidden
    assert set(result.filter(pl.col("source_id") != "nhsd_asc_overview_2022")["status"]) == {"no_file"}
    assert main(["--root", str(project), "audit", "--cache-dir", str(cache)]) == 0
