from __future__ import annotations

import csv
import hashlib
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import REPO_ROOT, RawEditor

import kfanalysis.figures.fig7_vacancies as fig7
import kfanalysis.pipeline
from kfanalysis.fields import TABLES
from kfanalysis.figures import built_figures
from kfanalysis.pipeline import build, build_tables
from kfanalysis.published import STATUSES
from kfanalysis.sources import sha256_of
from kfanalysis.verify import compare_outputs

#: Every output a build writes: each built figure's table and chart, the deflator, the ledger, the manifest.
OUTPUTS = {"datapackage.json", "deflator_2021_22.csv", "ledger.csv", "manifest.json"} | {
    f"{spec.load_module().TABLE}.{ext}" for spec in built_figures() for ext in ("csv", "png")
}


def _snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, hidden files included, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _leftovers(project: Path) -> list[Path]:
    """Staging folders or temporary files a build might leave behind."""
    data = project / "data"
    return [p for p in data.rglob("*") if p.name.startswith(".staging-") or p.name.endswith(".tmp")]


def test_build_writes_every_output_into_processed(project: Path) -> None:
    written = build(project, progress=None)
    processed = project / "data" / "processed"
    assert {p.name for p in written} == OUTPUTS
    assert all(p.parent == processed and p.is_file() and p.stat().st_size > 0 for p in written)
    assert {p.name for p in processed.iterdir()} == OUTPUTS
    assert (processed / "fig7_vacancies.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert _leftovers(project) == []


def test_second_build_is_byte_identical(project: Path) -> None:
    build(project, progress=None)
    processed = project / "data" / "processed"
    first = {p.name: p.read_bytes() for p in processed.iterdir()}
    build(project, progress=None)
    second = {p.name: p.read_bytes() for p in processed.iterdir()}
    assert set(first) == OUTPUTS
    assert second.keys() == first.keys()
    for name in first:
        assert second[name] == first[name], f"{name} changed between two builds of the same inputs"


COMMITTED = REPO_ROOT / "data" / "processed"


@pytest.mark.outputs
@pytest.mark.skipif(not (COMMITTED / "ledger.csv").is_file(), reason="no committed outputs to compare with")
def test_fresh_build_reproduces_every_committed_output(project: Path) -> None:
    """A copy of the committed data/raw rebuilds every committed output, compared by content.

    Tables value by value, charts as images, within the tolerances of kfanalysis.verify, so
    the test passes whichever BLAS kernel this CPU runs and still fails on a real change.
    """
    build(project, progress=None)
    result = compare_outputs(project / "data" / "processed", COMMITTED)
    assert set(result.compared) == OUTPUTS, "every output must be compared, none left out"
    assert result.ok, "\n".join(f"{d.file}: {d.what}" for d in result.differences)


def test_built_csvs_match_the_tables_in_memory(project: Path) -> None:
    build(project, progress=None)
    tables = build_tables(project)
    processed = project / "data" / "processed"
    for name, table in {**tables.tables, "ledger": tables.ledger}.items():
        assert table is not None
        text = (processed / f"{name}.csv").read_text(encoding="utf-8")
        assert "\r" not in text
        header = next(csv.reader([text.splitlines()[0]]))
        assert tuple(header) == TABLES[name].columns
        read = pl.read_csv(processed / f"{name}.csv", schema=table.schema)
        assert read.equals(table), name


def test_manifest_records_the_hash_of_every_raw_input(project: Path) -> None:
    import json

    build(project, progress=None)
    record = json.loads((project / "data" / "processed" / "manifest.json").read_text(encoding="utf-8"))
    raw = project / "data" / "raw"
    expected = {p.name: sha256_of(p) for p in raw.iterdir() if p.suffix in (".csv", ".toml")}
    assert record["raw_inputs_sha256"] == expected
    assert record["kfanalysis_version"] == kfanalysis.__version__


def test_build_to_another_folder_leaves_processed_alone(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "out"
    written = build(project, out=out, progress=None)
    assert {p.name for p in written} == OUTPUTS
    assert all(p.parent == out for p in written)
    assert list((project / "data" / "processed").iterdir()) == []


def _fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("injected failure")


def _fail_on_second_call(original: Callable[..., Any]) -> Callable[..., Any]:
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected failure after the first output was staged")
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda mp: mp.setattr(fig7, "build", _fail), id="figure-build"),
        pytest.param(lambda mp: mp.setattr(fig7, "plot", _fail), id="figure-plot"),
        pytest.param(
            lambda mp: mp.setattr(
                kfanalysis.pipeline, "csv_bytes", _fail_on_second_call(kfanalysis.pipeline.csv_bytes)
            ),
            id="after-first-output-staged",
        ),
        pytest.param(lambda mp: mp.setattr(kfanalysis.pipeline, "manifest", _fail), id="last-output"),
    ],
)
def test_failed_build_leaves_processed_exactly_as_it_was(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    inject: Callable[[pytest.MonkeyPatch], None],
) -> None:
    processed = project / "data" / "processed"
    # Stand-in outputs that no real build writes, so any write, rename or deletion shows up.
    for name in OUTPUTS:
        (processed / name).write_bytes(f"previous {name}\n".encode())
    (processed / "notes.txt").write_text("not an output; must survive\n", encoding="utf-8")
    before = _snapshot(processed)

    with monkeypatch.context() as patch:
        inject(patch)
        with pytest.raises(RuntimeError, match="injected failure"):
            build(project, progress=None)

    assert _snapshot(processed) == before
    assert _leftovers(project) == []

    # Without the fault the same build does replace every output: the check above can fail.
    build(project, progress=None)
    after = _snapshot(processed)
    assert all(after[name] != before[name] for name in OUTPUTS)
    assert after["notes.txt"] == before["notes.txt"]


def test_ledger_has_one_row_per_published_number(project: Path) -> None:
    build(project, progress=None)
    processed = project / "data" / "processed"
    with (project / "data" / "raw" / "published_numbers.csv").open(encoding="utf-8", newline="") as fh:
        published = [r["claim_id"] for r in csv.DictReader(fh)]
    with (processed / "ledger.csv").open(encoding="utf-8", newline="") as fh:
        ledger = list(csv.DictReader(fh))
    assert [r["claim_id"] for r in ledger] == published
    assert all(r["status"] in STATUSES for r in ledger)


def test_build_needs_no_network(project: Path, monkeypatch: pytest.MonkeyPatch, raw: RawEditor) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **_kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access is not allowed during a build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(OSError):  # the guard is live
        socket.create_connection(("example.org", 80))
    attempts.clear()

    written = build(project, progress=None)
    assert {p.name for p in written} == OUTPUTS
    assert attempts == []


def test_progress_lines_go_to_the_callback(project: Path) -> None:
    lines: list[str] = []
    build(project, progress=lines.append)
    assert lines[0].startswith("[1/")
    assert "ledger" in lines[-1]
    assert re.search(rf"wrote {len(OUTPUTS)} files", lines[-1])
