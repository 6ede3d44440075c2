"""datapackage.json describes data/raw and data/processed, and the frictionless validator agrees."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, RawEditor

from kfanalysis.datapackage import DATAPACKAGE, datapackage
from kfanalysis.fields import TABLES
from kfanalysis.pipeline import build


def _frictionless(descriptor: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "frictionless"
    command = [str(executable)] if executable.exists() else [shutil.which("frictionless") or "frictionless"]
    return subprocess.run(
        [*command, "validate", str(descriptor), "--trusted"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_table_is_a_resource_with_its_declared_columns() -> None:
    package = datapackage(REPO_ROOT)
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == set(TABLES)
    fig7 = resources["fig7_vacancies"]["schema"]
    assert [f["name"] for f in fig7["fields"]] == list(TABLES["fig7_vacancies"].columns)
    assert fig7["primaryKey"] == ["financial_year"]
    rate = next(f for f in fig7["fields"] if f["name"] == "vacancy_rate_pct")
    assert (rate["type"], rate["unit"]) == ("number", "%")
    assert resources["unemployment_rate"]["path"] == "../raw/unemployment_rate.csv"
    assert resources["unemployment_rate"]["licenses"], "a raw table names its sources' licences"


def test_the_committed_datapackage_is_the_one_the_build_writes() -> None:
    committed = json.loads((REPO_ROOT / "data" / "processed" / DATAPACKAGE).read_text(encoding="utf-8"))
    assert committed == datapackage(REPO_ROOT)


def test_frictionless_passes_the_committed_data() -> None:
    result = _frictionless(REPO_ROOT / "data" / "processed" / DATAPACKAGE)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_frictionless_fails_a_seeded_bad_row(project: Path, raw: RawEditor) -> None:
    build(project, progress=None)

    def bad_rate(rows: list[list[str]]) -> None:  # a made-up value no schema allows
        rows[1][rows[0].index("unemployment_rate_pct")] = "not a number"

    raw.edit("unemployment_rate", bad_rate)
    result = _frictionless(project / "data" / "processed" / DATAPACKAGE)
    assert result.returncode != 0
    assert "unemployment_rate" in result.stdout


@pytest.mark.parametrize("name", ["fig7_vacancies", "ledger"])
def test_a_built_resource_has_no_path_outside_data(name: str) -> None:
    resource = next(r for r in datapackage(REPO_ROOT)["resources"] if r["name"] == name)
    assert resource["path"] == f"{name}.csv"
