"""The top level an analyst meets: discoverable in an editor, typed for mypy, quick to import.

Each test here is one of the things a new user tried: completion on ``kfanalysis.``,
signature help, ``mypy --strict`` on their script, ``catalog()`` and ``describe()``,
and the examples in the docstrings, which run against the real data/raw.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from conftest import REPO_ROOT

import kfanalysis
from kfanalysis.fields import FIELDS, TABLES

PACKAGE = Path(kfanalysis.__file__).parent


def test_every_public_name_resolves_and_dir_lists_them() -> None:
    for name in kfanalysis.__all__:
        assert getattr(kfanalysis, name) is not None, name
    assert set(kfanalysis.__all__) <= set(dir(kfanalysis))
    assert "import_module" not in dir(kfanalysis) and "Any" not in dir(kfanalysis)
    with pytest.raises(AttributeError, match="no attribute 'real_column_nam'"):
        _ = kfanalysis.real_column_nam  # type: ignore[attr-defined]


def test_type_checkers_see_exactly_the_public_names() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    checked = next(node for node in tree.body if isinstance(node, ast.If))
    imported = {
        alias.asname for node in checked.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert imported == set(kfanalysis.__all__)


def test_the_package_says_it_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_import_is_light() -> None:
    heavy = "('polars', 'pandera', 'matplotlib', 'statsmodels')"
    code = f"import sys, kfanalysis; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_editor_completion_and_signatures() -> None:
    jedi = pytest.importorskip("jedi")
    source = "import kfanalysis\nkfanalysis."
    names = {c.name for c in jedi.Script(source, path=str(REPO_ROOT / "user.py")).complete(2, 11)}
    assert {"load", "to_real_terms", "catalog", "describe", "ledger", "fit_annual_growth"} <= names
    assert not {"Any", "import_module", "_EXPORTS"} & names
    call = "import kfanalysis\nkfanalysis.to_real_terms("
    signatures = jedi.Script(call, path=str(REPO_ROOT / "user.py")).get_signatures(2, 25)
    assert signatures, "no signature help for to_real_terms"
    params = [p.name for p in signatures[0].params]
    assert params[:4] == ["frame", "value", "year", "base"] and "edition" in params


def test_mypy_strict_reports_a_wrong_argument_in_a_users_script(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(
        textwrap.dedent(
            """\
            import kfanalysis

            table = kfanalysis.load(1)
            spending = kfanalysis.load("asc_expenditure")
            growth = kfanalysis.fit_annual_growth(spending, "gross_current_expenditure_gbp_bn")
            print(table, growth.annual_growth_pct)
            reveal_type(kfanalysis.to_real_terms(spending.lazy(), "gross_current_expenditure_gbp_bn"))
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert (
        'analysis.py:3: error: Argument 1 to "load" has incompatible type "int"; expected "str"' in errors[0]
    )
    # a polars table in gives the same kind of table out, so the user's next call is checked too
    assert 'analysis.py:7: note: Revealed type is "polars.lazyframe.frame.LazyFrame"' in result.stdout


# ---- catalog and describe -------------------------------------------------------------------


def test_catalog_lists_every_raw_and_built_table() -> None:
    tables = kfanalysis.catalog()
    assert tables["name"].to_list() == list(TABLES)
    kinds = dict(zip(tables["name"], tables["kind"], strict=True))
    assert kinds["gdp_deflator"] == "raw" and kinds["gdp_deflator_2023_06"] == "raw"
    assert kinds["fig4_social_care"] == "built" and kinds["ledger"] == "built"
    assert tables.filter(pl.col("description") == "").height == 0
    assert tables.filter(name="fig4_social_care")["file"].item() == "data/processed/fig4_social_care.csv"


def test_describe_gives_label_unit_and_meaning() -> None:
    columns = kfanalysis.describe("fig4_social_care")
    assert columns["column"].to_list() == list(TABLES["fig4_social_care"].columns)
    row = columns.filter(column="gce_real_2021_22_gbp_bn").row(0, named=True)
    assert row["unit"] == FIELDS["gce_real_2021_22_gbp_bn"].unit
    assert row["meaning"] == FIELDS["gce_real_2021_22_gbp_bn"].description
    assert row["label"] == "Gce (£ billion, 2021/22 prices)"
    assert kfanalysis.describe("gdp_deflator").filter(column="financial_year")["key"].item() is True


def test_describe_names_the_tables_when_one_is_unknown() -> None:
    with pytest.raises(KeyError, match=r"no table called 'gdp_deflater'.*gdp_deflator"):
        kfanalysis.describe("gdp_deflater")


# ---- the growth helper ----------------------------------------------------------------------


def test_growth_from_a_table_with_financial_year_text() -> None:
    # 100 -> 110 -> 121: exactly 10% a year, written in three different year forms.
    series = pl.DataFrame(
        {"financial_year": ["2019/20", "2020-21", "2021-2022"], "staff": [100.0, 110.0, 121.0]}
    )
    fit = kfanalysis.fit_annual_growth(series, "staff")
    assert fit.annual_growth_pct == pytest.approx(10.0)
    assert fit.n == 3


def test_growth_from_a_table_of_dated_snapshots(project: Path) -> None:
    workforce = kfanalysis.load("doctors_workforce", project)
    with pytest.raises(ValueError, match="more than one series"):
        kfanalysis.fit_annual_growth(workforce, "staff_number")
    group, basis, _ = workforce.group_by("staff_group", "basis").len().sort("len", "staff_group").row(-1)
    one = workforce.filter((pl.col("staff_group") == group) & (pl.col("basis") == basis))
    assert one.height >= 3
    fit = kfanalysis.fit_annual_growth(one, "staff_number")
    assert fit.n == one.filter(pl.col("staff_number").is_not_null()).height


def test_growth_from_sequences_of_unequal_length_is_explained() -> None:
    with pytest.raises(ValueError, match="got 3 years but 2 values"):
        kfanalysis.fit_annual_growth([2019, 2020, 2021], [1.0, 2.0])
    with pytest.raises(TypeError, match="a table and a column name"):
        kfanalysis.fit_annual_growth("financial_year", [1.0])  # type: ignore[call-overload]


# ---- every docstring example runs, on the real data ----------------------------------------


def _modules_with_examples() -> list[str]:
    names = ["kfanalysis"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="kfanalysis."):
        if info.name.endswith("__main__"):
            continue
        spec = importlib.util.find_spec(info.name)
        if spec and spec.origin and ">>>" in Path(spec.origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return names


@pytest.mark.parametrize("module_name", _modules_with_examples())
def test_docstring_examples_run(module_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)  # examples load the project's own data/raw
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, module_name) if t.examples]
    assert tests, f"{module_name} has '>>>' but no example was found"
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
