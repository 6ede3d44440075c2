"""The README's "Use it" code and the book's guide page run as scripts and agree on how to install."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
GUIDE = REPO_ROOT / "book" / "using.md"
#: The install line both documents give (a virtual environment, as Debian requires).
INSTALL = "python3 -m venv .venv && .venv/bin/pip install ."


def _use_it_code() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it\n") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "README's Use it section has no python block"
    return "\n".join(blocks)


def _guide_code() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)
    return "\n".join("\n".join(line for line in c.splitlines() if not line.startswith(":")) for c in cells)


def _run(code: str, tmp_path: Path) -> str:
    script = tmp_path / "script.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_both_documents_install_the_same_way() -> None:
    for document in (README, GUIDE):
        text = document.read_text(encoding="utf-8")
        assert INSTALL in text, f"{document.name} does not give the install line {INSTALL!r}"
        assert "pip install -e ." not in text, f"{document.name} still installs into the system Python"


def test_readme_use_it_runs_and_prints(tmp_path: Path) -> None:
    out = _run(_use_it_code(), tmp_path)
    assert "data: the checkout" in out and "financial_year" in out
    assert "fig4" in out and "reading_kind" in out


def test_guide_runs_as_a_script_and_prints(tmp_path: Path) -> None:
    out = _run(_guide_code(), tmp_path)
    assert "gross_current_expenditure_gbp_bn" in out and "fig7_vacancies.xlsx" in out
