"""`kfanalysis sources --refresh-checksums` never hashes a broken file, and its diff tells the truth.

Every CSV written here is made up for the test (a copy of a real table with one
thing broken); none of it reaches data/raw.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import RawEditor, raw_path

from kfanalysis.cli import main
from kfanalysis.errors import RawDataError
from kfanalysis.loader import load
from kfanalysis.review import compare_rows


def _refresh(project: Path) -> int:
    return main(["--root", str(project), "sources", "--refresh-checksums"])


def _bom(raw: RawEditor) -> None:
    path = raw_path(raw.root, "unemployment_rate")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def _utf16(raw: RawEditor) -> None:
    path = raw_path(raw.root, "unemployment_rate")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def _empty(raw: RawEditor) -> None:
    raw_path(raw.root, "unemployment_rate").write_bytes(b"")


def _header_only(raw: RawEditor) -> None:
    raw.write_rows("unemployment_rate", raw.rows("unemployment_rate")[:1], refresh=False)


def _column_dropped(raw: RawEditor) -> None:
    rows = raw.rows("unemployment_rate")
    raw.write_rows("unemployment_rate", [row[:-1] for row in rows], refresh=False)


def _row_duplicated(raw: RawEditor) -> None:
    rows = raw.rows("unemployment_rate")
    raw.write_rows("unemployment_rate", [*rows, rows[1]], refresh=False)


def _toml_syntax_error(raw: RawEditor) -> None:
    path = raw.root / "data" / "raw" / "sources.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[source]]\nid = unquoted text\n", encoding="utf-8")


BREAKS: dict[str, tuple[Callable[[RawEditor], None], str]] = {
    "bom": (_bom, r"unemployment_rate\.csv, line 1: file starts with a byte order mark"),
    "utf16": (_utf16, r"unemployment_rate\.csv, line 1: file starts with a byte order mark|not valid UTF-8"),
    "empty": (_empty, r"unemployment_rate\.csv: file is empty"),
    "header_only": (_header_only, r"unemployment_rate\.csv: file has a header but no rows"),
    "column_dropped": (_column_dropped, r"unemployment_rate\.csv, line 1, column 'note': required column"),
    "row_duplicated": (_row_duplicated, r"unemployment_rate\.csv, lines 2, \d+: duplicate key"),
    "toml_syntax_error": (_toml_syntax_error, r"sources\.toml, line \d+: not valid TOML"),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_a_broken_file_is_never_hashed(
    case: str, raw: RawEditor, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sums = project / "data" / "raw" / "SHA256SUMS"
    before = sums.read_bytes()
    brake, expected = BREAKS[case]
    brake(raw)
    assert _refresh(project) == 1
    assert sums.read_bytes() == before
    captured = capsys.readouterr()
    err = captured.err
    assert re.search(expected, err), err
    if case == "utf16":  # the listing does not pretend to compare rows of text it cannot read
        assert "not UTF-8 text: rows not compared" in captured.out
    assert "Fix:" in err
    assert "SHA256SUMS was not changed" in err
    assert not list((project / "data" / "raw").glob(".SHA256SUMS*")), "a temporary file was left behind"


def test_every_broken_file_is_listed_in_one_run(
    raw: RawEditor, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _empty(raw)
    _toml_syntax_error(raw)
    rows = raw.rows("gdp_deflator")
    raw.write_rows("gdp_deflator", [*rows, rows[2]], refresh=False)
    assert _refresh(project) == 1
    err = capsys.readouterr().err
    for name in ("unemployment_rate.csv", "sources.toml", "gdp_deflator.csv"):
        assert name in err


def test_a_sound_edit_is_still_hashed(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    rows[1][rows[0].index("note")] = "made-up note for this test"
    raw.write_rows("unemployment_rate", rows, refresh=False)
    assert _refresh(project) == 0
    assert load("unemployment_rate", project)["note"][0] == "made-up note for this test"


def test_a_type_error_does_not_hide_the_other_problems(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("asc_activity")
    header = rows[0]
    rows[1][header.index("activity_count")] = "n/a"
    rows[4][header.index("financial_year")] = "2017/19"
    rows[5][header.index("activity_count")] = "-5"
    rows[6][header.index("source_id")] = "no_such_source"
    raw.write_rows("asc_activity", rows)
    with pytest.raises(RawDataError) as caught:
        load("asc_activity", project)
    found = {(p.line, p.column) for p in caught.value.problems}
    assert {
        (2, "activity_count"),
        (5, "financial_year"),
        (6, "activity_count"),
        (7, "source_id"),
    } <= found
    # The unreadable number is reported once, as not a number, not again as an empty cell.
    assert [p.what for p in caught.value.problems if p.line == 2] == ["'n/a' is not a whole number"]


# The diff shown before hashing.


def _table(project: Path) -> str:
    return raw_path(project, "unemployment_rate").read_text(encoding="utf-8")


def test_a_dropped_column_is_named(project: Path) -> None:
    old = _table(project)
    new = "\n".join(",".join(line.split(",")[:3]) for line in old.splitlines()) + "\n"
    change = compare_rows("unemployment_rate.csv", old, new)
    assert change.columns_removed and "note" in change.columns_removed
    assert "column(s) removed:" in change.summary()


def test_a_duplicated_row_is_named(project: Path) -> None:
    old = _table(project)
    lines = old.splitlines(keepends=True)
    change = compare_rows("unemployment_rate.csv", old, old + lines[1])
    assert len(change.duplicated) == 1
    assert change.lines_added == 1
    assert "key(s) on more than one row" in change.summary()


def test_a_bom_changes_no_row(project: Path) -> None:
    old = _table(project)
    change = compare_rows("unemployment_rate.csv", old, "\ufeff" + old)
    assert (change.added, change.removed, change.changed) == ([], [], [])
    assert (change.lines_added, change.lines_removed) == (1, 1)


def _diff_counts(old: Path, new: Path) -> tuple[int, int]:
    result = subprocess.run(["diff", str(old), str(new)], capture_output=True, text=True, check=False)
    lines = result.stdout.splitlines()
    return sum(x.startswith("> ") for x in lines), sum(x.startswith("< ") for x in lines)


@pytest.mark.skipif(shutil.which("diff") is None, reason="needs the diff program")
def test_line_counts_match_diff(project: Path, tmp_path: Path) -> None:
    toml = project / "data" / "raw" / "sources.toml"
    old = toml.read_text(encoding="utf-8")
    # Eleven lines, several of them repeated from the file (a blank line, a licence line):
    # counting distinct new lines would miss those.
    entry = (
        '\n[[source]]\nid = "made_up_for_test"\ntitle = "A made-up publication"\npublisher = "Nobody"\n'
        'edition = "test"\ndate_published = "2025-01-01"\nurl = "https://example.org/made-up"\n'
        'licence = "Open Government Licence v3.0"\ndate_accessed = "2025-01-02"\n\n'
    )
    new = old + entry
    change = compare_rows("sources.toml", old, new)
    (tmp_path / "old").write_text(old, encoding="utf-8")
    (tmp_path / "new").write_text(new, encoding="utf-8")
    assert (len(change.added), len(change.removed)) == _diff_counts(tmp_path / "old", tmp_path / "new")
    assert len(change.added) == 11

    table = _table(project)
    rows = table.splitlines(keepends=True)
    edited = rows[0] + rows[2] + rows[1].replace(",", ",x", 1) + "".join(rows[3:])
    change = compare_rows("unemployment_rate.csv", table, edited)
    (tmp_path / "old").write_text(table, encoding="utf-8")
    (tmp_path / "new").write_text(edited, encoding="utf-8")
    assert (change.lines_added, change.lines_removed) == _diff_counts(tmp_path / "old", tmp_path / "new")
