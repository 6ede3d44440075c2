from __future__ import annotations

import csv
import hashlib
import tomllib
from pathlib import Path

import pytest
from conftest import RAW_TABLES, RawEditor, raw_path

from kfanalysis.cli import main
from kfanalysis.errors import ChecksumError, RawDataError
from kfanalysis.fields import TABLES
from kfanalysis.loader import load
from kfanalysis.paths import project_paths
from kfanalysis.sources import read_checksums, read_sources, refresh_checksums, verify_checksum


def _ids_used_by_extracts(root: Path) -> set[str]:
    used: set[str] = set()
    for name in RAW_TABLES:
        if "source_id" not in TABLES[name].columns:
            continue
        with raw_path(root, name).open(encoding="utf-8", newline="") as fh:
            used |= {row["source_id"] for row in csv.DictReader(fh)}
    return used


def test_read_sources_covers_every_id_the_extracts_use(project: Path) -> None:
    sources = read_sources(project_paths(project))
    used = _ids_used_by_extracts(project)
    assert used, "the extracts should cite sources"
    assert used <= set(sources)
    with (project / "data" / "raw" / "sources.toml").open("rb") as fh:
        declared = [entry["id"] for entry in tomllib.load(fh)["source"]]
    assert list(sources) == declared  # every entry, in file order
    for sid, source in sources.items():
        assert source.id == sid
        assert source.url.startswith("https://")
        assert source.licence and source.title and source.publisher


def test_cli_sources_lists_every_source(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "sources"]) == 0
    out = capsys.readouterr().out
    listed = {line for line in out.splitlines() if line and not line.startswith(" ")}
    assert listed == set(read_sources(project_paths(project)))
    assert _ids_used_by_extracts(project) <= listed


def test_checksums_of_the_copy_match_the_files(project: Path) -> None:
    paths = project_paths(project)
    sums = read_checksums(paths)
    on_disk = {p.name for p in paths.raw.iterdir() if p.suffix in (".csv", ".toml")}
    assert set(sums) == on_disk
    for name, digest in sums.items():
        assert hashlib.sha256((paths.raw / name).read_bytes()).hexdigest() == digest
        verify_checksum(paths.raw / name, paths)


def test_refresh_checksums_reports_only_the_edited_file(raw: RawEditor, project: Path) -> None:
    paths = project_paths(project)
    path = raw_path(project, "unemployment_rate")
    old = read_checksums(paths)["unemployment_rate.csv"]
    rows = raw.rows("unemployment_rate")
    rows[1][rows[0].index("unemployment_rate_pct")] = "7.9"
    raw.write_rows("unemployment_rate", rows, refresh=False)

    with pytest.raises(ChecksumError, match=r"unemployment_rate\.csv"):
        load("unemployment_rate", project)

    changed = refresh_checksums(paths)
    new = hashlib.sha256(path.read_bytes()).hexdigest()
    assert changed == {"unemployment_rate.csv": f"{old} -> {new}"}
    assert read_checksums(paths)["unemployment_rate.csv"] == new
    assert load("unemployment_rate", project)["unemployment_rate_pct"][0] == 7.9
    assert refresh_checksums(paths) == {}


def test_cli_refresh_checksums_names_the_changed_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_path(project, "gdp_deflator")
    path.write_bytes(path.read_bytes().replace(b"72.1482", b"72.1483", 1))
    assert main(["--root", str(project), "sources", "--refresh-checksums"]) == 0
    out = capsys.readouterr().out
    # the review line comes first (this copy is not in git, so rows cannot be compared), then the hash
    assert (
        out.splitlines()[0]
        == "gdp_deflator.csv: 0 row(s) added, 0 removed, 0 changed "
        "(no earlier version in git: rows not compared)"
    )
    assert [line for line in out.splitlines() if line.startswith("updated ")] == [out.splitlines()[1]]
    assert out.splitlines()[1].startswith("updated gdp_deflator.csv: ")
    assert main(["--root", str(project), "sources", "--refresh-checksums"]) == 0
    assert "already matches" in capsys.readouterr().out


def test_new_file_is_reported_as_new(project: Path) -> None:
    (project / "data" / "raw" / "extra_table.csv").write_text("a\n1\n", encoding="utf-8")
    changed = refresh_checksums(project_paths(project))
    assert list(changed) == ["extra_table.csv"]
    assert changed["extra_table.csv"].startswith("new -> ")


def test_an_edited_sources_toml_is_refused_until_rehashed(project: Path) -> None:
    toml = project / "data" / "raw" / "sources.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ChecksumError, match=r"sources\.toml"):
        read_sources(project_paths(project))
    refresh_checksums(project_paths(project))
    assert read_sources(project_paths(project))


def test_source_entry_without_a_required_key_is_refused(project: Path) -> None:
    toml = project / "data" / "raw" / "sources.toml"
    text = toml.read_text(encoding="utf-8")
    edited = text.replace('licence = "Open Government Licence v3.0"\n', "", 1)
    assert edited != text
    toml.write_text(edited, encoding="utf-8")
    refresh_checksums(project_paths(project))
    with pytest.raises(RawDataError, match="lacks licence"):
        read_sources(project_paths(project))


def test_missing_sha256sums_is_a_checksum_error(project: Path) -> None:
    (project / "data" / "raw" / "SHA256SUMS").unlink()
    with pytest.raises(ChecksumError, match="SHA256SUMS"):
        load("gdp_deflator", project)


def test_malformed_sha256sums_line_is_reported(project: Path) -> None:
    sums = project / "data" / "raw" / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8") + "not a checksum line\n", encoding="utf-8")
    with pytest.raises(ChecksumError, match="malformed line"):
        load("gdp_deflator", project)
