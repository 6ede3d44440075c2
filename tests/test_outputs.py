"""The book reads the built outputs through kfanalysis.outputs: typed, validated, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RawEditor

from kfanalysis.errors import KfError
from kfanalysis.outputs import EditedOutputError, StaleOutputsError, chart_png, read_ledger, read_table
from kfanalysis.pipeline import build, build_tables


def test_read_outputs_equal_the_tables_built_in_memory(project: Path) -> None:
    build(project, progress=None)
    built = build_tables(project)
    for name, table in built.tables.items():
        assert read_table(name, project).equals(table), name
    assert built.ledger is not None
    assert read_ledger(project).equals(built.ledger)
    assert read_ledger(project, figure="fig7")["figure"].unique().to_list() == ["fig7"]
    chart = project / "data" / "processed" / "fig7_vacancies.png"
    assert chart_png("fig7_vacancies", project) == chart.read_bytes()


def test_outputs_built_from_other_raw_files_are_refused(project: Path, raw: RawEditor) -> None:
    build(project, progress=None)

    def note(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("note")] = "edited after the build"

    raw.edit("unemployment_rate", note)
    with pytest.raises(StaleOutputsError, match=r"unemployment_rate\.csv") as caught:
        read_table("fig7_vacancies", project)
    assert "kfanalysis build" in str(caught.value)


def test_nothing_built_yet_says_so(project: Path) -> None:
    with pytest.raises(StaleOutputsError, match="nothing has been built"):
        read_ledger(project)


def test_a_raw_table_is_not_an_output(project: Path) -> None:
    with pytest.raises(KfError, match="not a built table"):
        read_table("unemployment_rate", project)


def test_an_output_edited_after_the_build_is_refused_by_name(project: Path) -> None:
    build(project, progress=None)
    path = project / "data" / "processed" / "fig7_vacancies.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("4.4", "4.5", 1)  # a made-up hand edit of one value
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(EditedOutputError, match=r"data/processed/fig7_vacancies\.csv") as caught:
        read_table("fig7_vacancies", project)
    message = str(caught.value)
    assert "SHA-256" in message and "kfanalysis build" in message and "git checkout" in message
    read_table("fig6_nurses", project)  # the other outputs still read


def test_the_manifest_records_every_output(project: Path) -> None:
    import json

    written = build(project, progress=None)
    record = json.loads((project / "data" / "processed" / "manifest.json").read_text(encoding="utf-8"))
    assert set(record["outputs_sha256"]) == {p.name for p in written} - {"manifest.json"}


def test_outputs_is_reachable_from_the_package() -> None:
    import kfanalysis

    assert kfanalysis.outputs.read_table is read_table


def test_loading_a_built_table_points_to_outputs() -> None:
    import kfanalysis

    with pytest.raises(ValueError, match=r"kfanalysis\.outputs\.read_table\('fig7_vacancies'\)"):
        kfanalysis.load("fig7_vacancies")
