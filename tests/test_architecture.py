"""Imports run one way: pipeline -> figures -> (loader, prices, trends, published rules) -> fields.

A circle between modules means neither can be understood, tested or loaded
without the other; the ledger's rules in particular must take built tables as
arguments and never reach back into the pipeline that builds them. Imports are
read from the source with ``ast``, so ones inside functions and under
``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kfanalysis"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every kfanalysis module ``path`` imports, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kfanalysis"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith("kfanalysis"):
                continue
            found.add(module)
            # "from kfanalysis import fields" imports the submodule kfanalysis.fields.
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                if (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py").exists():
                    found.add(candidate)
    # The package's own facade re-exports everything; importing it is not a dependency on its parts.
    found.discard("kfanalysis")
    found.discard(here)
    return found


GRAPH = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_graph_is_read() -> None:
    assert "kfanalysis.pipeline" in GRAPH
    assert "kfanalysis.published" in GRAPH["kfanalysis.pipeline"]
    assert "kfanalysis.loader" in GRAPH["kfanalysis.figures.fig7_vacancies"]


@pytest.mark.parametrize("module", ["kfanalysis.published", "kfanalysis.loader", "kfanalysis.fields"])
def test_lower_modules_never_import_the_pipeline_or_the_figures(module: str) -> None:
    bad = {m for m in GRAPH[module] if m == "kfanalysis.pipeline" or m.startswith("kfanalysis.figures")}
    assert not bad, f"{module} imports {sorted(bad)}: pass the built tables in instead"


def test_no_two_modules_import_each_other() -> None:
    pairs = sorted(
        (a, b) for a, imported in GRAPH.items() for b in imported if a < b and a in GRAPH.get(b, set())
    )
    assert pairs == [], f"modules that import each other: {pairs}"


def test_nothing_imports_the_pipeline_but_the_entry_points() -> None:
    # The package facade re-exports the public API; the command line, the book's pieces and the
    # reproduction check (which builds afresh to compare) sit above the pipeline and run it.
    allowed = {"kfanalysis", "kfanalysis.cli", "kfanalysis.presentation", "kfanalysis.verify"}
    users = {m for m, imported in GRAPH.items() if "kfanalysis.pipeline" in imported}
    assert users <= allowed, (
        f"only {sorted(allowed)} may import the pipeline; also: {sorted(users - allowed)}"
    )
