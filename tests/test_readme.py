"""The README's status table is the one the ledger gives today."""

from __future__ import annotations

import re
from pathlib import Path

import kfanalysis
from kfanalysis.published import status_table

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
