"""The README's status table is the one the ledger gives today."""

from __future__ import annotations

import re
from pathlib import Path

import kfanalysis
from kfanalysis.presentation import status_table

ROOT = Path(__file__).resolve().parents[1]


def test_readme_status_table_matches_the_ledger() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- status:start -->\n(.*?)<!-- status:end -->", readme, re.S)
    assert match, "README.md lacks the status markers"
    expected = status_table(kfanalysis.ledger(root=ROOT))
    assert match.group(1) == expected, (
        "README status table is out of date; replace it with the output of `kfanalysis status`"
    )


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "nox -s reproduce" in readme
    assert "nox -s tests" in readme


def test_public_functions_survive_submodule_imports() -> None:
    # Importing every submodule must not replace a public function by a module of the same name.
    import importlib
    import pkgutil

    import kfanalysis

    for module in pkgutil.walk_packages(kfanalysis.__path__, "kfanalysis."):
        if not module.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(module.name)
    for name in ("load", "build", "ledger", "to_real_terms", "deflator", "build_tables"):
        assert callable(getattr(kfanalysis, name)), name
        assert not isinstance(getattr(kfanalysis, name), type(kfanalysis)), f"kfanalysis.{name} is a module"


def test_each_figure_reads_only_the_raw_tables_it_declares(monkeypatch) -> None:
    # A figure's INPUTS list is what the book cites as its sources, so it must be complete.
    import kfanalysis.loader
    from kfanalysis.figures import built_figures

    real_load = kfanalysis.loader.load
    for spec in built_figures():
        module = spec.load_module()
        read: list[str] = []

        def spy(name, root=None, _read=read):
            _read.append(name)
            return real_load(name, root)

        # Figure modules hold their own reference to load; helpers import it when called.
        monkeypatch.setattr(module, "load", spy)
        monkeypatch.setattr(kfanalysis.loader, "load", spy)
        table = module.build(ROOT)
        if hasattr(module, "real_change_comparison"):
            module.real_change_comparison(table, ROOT)
        assert read, spec.figure
        assert set(read) <= set(module.INPUTS), (spec.figure, sorted(set(read) - set(module.INPUTS)))
        monkeypatch.undo()
