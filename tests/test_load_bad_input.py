"""Broken copies of every raw table must stop the load with a message that says where.

The cases are generated from ``kfanalysis.fields``, so a new column or table is
covered without editing this file. Each breaks one thing in a copy of data/raw
and (except for the checksum cases) refreshes SHA256SUMS, so the load gets past
the checksum and fails at the check under test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import RAW_TABLES, RawEditor, raw_path
from tac_workbooks import made_up_trust_rows

from kfanalysis.cli import main
from kfanalysis.errors import ChecksumError, RawDataError
from kfanalysis.fields import FIELDS, TABLES, Field
from kfanalysis.loader import load


@dataclass(frozen=True)
class Expect:
    """What the error must say: its class, a phrase, and where (line and column) if known."""

    error: type[RawDataError]
    phrase: str
    line: int | None = None
    column: str | None = None


Breaker = Callable[[RawEditor, str], Expect]


def _middle_row(rows: list[list[str]], column: str | None = None) -> int:
    """Index (in rows, header = 0) of a data row in the middle of the file, non-empty in ``column``."""
    candidates = [i for i in range(1, len(rows)) if column is None or rows[i][rows[0].index(column)] != ""]
    assert candidates, f"no row has a value in {column}"
    return candidates[len(candidates) // 2]


def _set_cell(editor: RawEditor, name: str, column: str, value: str, need_value: bool = True) -> int:
    """Set one cell of a middle row; return its 1-based line number (the header is line 1)."""
    rows = editor.rows(name)
    index = _middle_row(rows, column if need_value else None)
    rows[index][rows[0].index(column)] = value
    editor.write_rows(name, rows)
    return index + 1


# ---- the breakers ---------------------------------------------------------------------------


def changed_digit_without_new_checksum(editor: RawEditor, name: str) -> Expect:
    data = raw_path(editor.root, name).read_bytes()
    body = data.index(b"\n") + 1
    position = next(i for i in range(body, len(data)) if data[i : i + 1].isdigit())
    digit = int(data[position : position + 1])
    edited = data[:position] + str((digit + 1) % 10).encode() + data[position + 1 :]
    editor.write_bytes(name, edited, refresh=False)
    return Expect(ChecksumError, "checksum mismatch")


def not_listed_in_sha256sums(editor: RawEditor, name: str) -> Expect:
    sums = editor.root / "data" / "raw" / "SHA256SUMS"
    lines = sums.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.endswith(f"  {name}.csv")]
    assert len(kept) == len(lines) - 1
    sums.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return Expect(ChecksumError, "not listed in data/raw/SHA256SUMS")


def missing_column(column: str) -> Breaker:
    def breaker(editor: RawEditor, name: str) -> Expect:
        rows = editor.rows(name)
        at = rows[0].index(column)
        editor.write_rows(name, [row[:at] + row[at + 1 :] for row in rows])
        return Expect(RawDataError, "required column is missing", line=1, column=column)

    return breaker


def extra_column(editor: RawEditor, name: str) -> Expect:
    rows = editor.rows(name)
    editor.write_rows(name, [[*rows[0], "unexpected_extra"]] + [[*row, "1"] for row in rows[1:]])
    return Expect(RawDataError, "unknown column", line=1, column="unexpected_extra")


def text_in_typed_column(column: str) -> Breaker:
    def breaker(editor: RawEditor, name: str) -> Expect:
        line = _set_cell(editor, name, column, "n/a (see note)")
        return Expect(RawDataError, "'n/a (see note)' is not", line=line, column=column)

    return breaker


def below_minimum(field: Field) -> Breaker:
    assert field.minimum is not None
    # a non-negative column gets a negative number; any other bounded column one below its minimum
    value = -1 if field.minimum >= 0 else field.minimum - 1

    def breaker(editor: RawEditor, name: str) -> Expect:
        text = str(int(value)) if field.dtype == "int" else str(float(value))
        line = _set_cell(editor, name, field.name, text)
        return Expect(RawDataError, "is not allowed", line=line, column=field.name)

    return breaker


def above_maximum(field: Field) -> Breaker:
    assert field.maximum is not None

    def breaker(editor: RawEditor, name: str) -> Expect:
        text = str(int(field.maximum) + 1) if field.dtype == "int" else str(field.maximum + 0.5)
        line = _set_cell(editor, name, field.name, text)
        return Expect(RawDataError, "is not allowed", line=line, column=field.name)

    return breaker


def empty_required_value(column: str) -> Breaker:
    def breaker(editor: RawEditor, name: str) -> Expect:
        line = _set_cell(editor, name, column, "")
        return Expect(RawDataError, "value is empty", line=line, column=column)

    return breaker


def value_not_allowed(field: Field) -> Breaker:
    bad = "2021-22" if field.is_financial_year else "Not A Listed Value"

    def breaker(editor: RawEditor, name: str) -> Expect:
        line = _set_cell(editor, name, field.name, bad)
        return Expect(RawDataError, "is not allowed", line=line, column=field.name)

    return breaker


def duplicate_key_row(editor: RawEditor, name: str) -> Expect:
    rows = editor.rows(name)
    index = _middle_row(rows)
    editor.write_rows(name, [*rows, list(rows[index])])
    # both copies are reported; the test checks the one appended as the new last line
    return Expect(RawDataError, "duplicate key", line=len(rows) + 1)


def unknown_source_id(editor: RawEditor, name: str) -> Expect:
    line = _set_cell(editor, name, "source_id", "no_such_source_2099")
    return Expect(
        RawDataError, "'no_such_source_2099' is not in data/raw/sources.toml", line=line, column="source_id"
    )


def empty_file(editor: RawEditor, name: str) -> Expect:
    editor.write_bytes(name, b"")
    return Expect(RawDataError, "file is empty")


def header_only(editor: RawEditor, name: str) -> Expect:
    editor.write_rows(name, editor.rows(name)[:1])
    return Expect(RawDataError, "header but no rows")


def truncated_last_row(editor: RawEditor, name: str) -> Expect:
    rows = editor.rows(name)
    keep = min(3, len(rows[0]) - 1)  # a table of three columns loses its last field
    rows[-1] = rows[-1][:keep]
    editor.write_rows(name, rows)
    return Expect(RawDataError, f"row has {keep} field(s)", line=len(rows))


def utf8_bom(editor: RawEditor, name: str) -> Expect:
    editor.write_bytes(name, b"\xef\xbb\xbf" + raw_path(editor.root, name).read_bytes())
    return Expect(RawDataError, "byte order mark", line=1)


def non_utf8_byte(editor: RawEditor, name: str) -> Expect:
    lines = raw_path(editor.root, name).read_bytes().split(b"\n")
    index = max(1, (len(lines) - 1) // 2)  # a data line in the middle (lines[0] is the header)
    assert b"," in lines[index]
    # a Latin-1 e-acute in the second field, as a spreadsheet saving in the wrong encoding writes it
    lines[index] = lines[index].replace(b",", b",caf\xe9 ", 1)
    editor.write_bytes(name, b"\n".join(lines))
    return Expect(RawDataError, "byte 0xe9 is not valid UTF-8", line=index + 1)


def file_deleted(editor: RawEditor, name: str) -> Expect:
    raw_path(editor.root, name).unlink()
    return Expect(RawDataError, "file is missing")


# ---- cases for every table, from the field dictionary -----------------------------------------


def _cases() -> list[Any]:
    cases: list[Any] = []

    def add(name: str, label: str, breaker: Breaker) -> None:
        cases.append(pytest.param(name, breaker, id=f"{name}-{label}"))

    for name in RAW_TABLES:
        spec = TABLES[name]
        add(name, "changed_digit_no_refresh", changed_digit_without_new_checksum)
        add(name, "not_in_sha256sums", not_listed_in_sha256sums)
        add(name, "extra_column", extra_column)
        add(name, "duplicate_key", duplicate_key_row)
        add(name, "empty_file", empty_file)
        if not spec.may_be_empty:  # a table filled only by `kfanalysis ingest` may honestly be empty
            add(name, "header_only", header_only)
        add(name, "truncated_last_row", truncated_last_row)
        add(name, "utf8_bom", utf8_bom)
        add(name, "non_utf8_byte", non_utf8_byte)
        add(name, "file_deleted", file_deleted)
        if "source_id" in spec.columns:
            add(name, "unknown_source_id", unknown_source_id)
        for column in spec.columns:
            field = FIELDS[column]
            add(name, f"missing_column_{column}", missing_column(column))
            if field.dtype != "str":
                add(name, f"text_in_{column}", text_in_typed_column(column))
            if field.minimum is not None:
                label = "negative" if field.minimum >= 0 else "below_minimum"
                add(name, f"{label}_{column}", below_minimum(field))
            if field.maximum is not None:
                label = "pct_above_100" if field.unit == "%" else "above_maximum"
                add(name, f"{label}_{column}", above_maximum(field))
            if field.allowed is not None or field.is_financial_year:
                add(name, f"not_allowed_{column}", value_not_allowed(field))
            if column not in spec.nullable:
                add(name, f"empty_{column}", empty_required_value(column))
    return cases


CASES = _cases()


def _with_rows(raw: RawEditor, name: str) -> None:
    """Give a table that may be empty (trust_accounts, until its files are ingested) made-up rows to break."""
    if TABLES[name].may_be_empty and len(raw.rows(name)) < 2:
        assert name == "trust_accounts", f"add made-up rows for {name} to tests/tac_workbooks.py"
        raw.write_rows(name, made_up_trust_rows())


def test_a_table_filled_only_by_ingest_loads_with_no_rows_and_its_made_up_rows_load(
    raw: RawEditor, project: Path
) -> None:
    assert load("trust_accounts", project).height == 0
    _with_rows(raw, "trust_accounts")
    assert load("trust_accounts", project).height == 3


def test_every_raw_table_gets_the_core_cases() -> None:
    ids = {case.id for case in CASES}
    assert {TABLES[t].name for t in TABLES if TABLES[t].is_raw} == set(RAW_TABLES)
    for name in RAW_TABLES:
        for label in (
            "changed_digit_no_refresh",
            "not_in_sha256sums",
            "extra_column",
            "duplicate_key",
            "empty_file",
            "truncated_last_row",
            "utf8_bom",
            "non_utf8_byte",
        ):
            assert f"{name}-{label}" in ids
        assert any(i.startswith(f"{name}-missing_column_") for i in ids)
        if any(FIELDS[c].dtype != "str" for c in TABLES[name].columns):
            assert any(i.startswith(f"{name}-text_in_") for i in ids)
    # the bound checks reach every table that has a bounded column
    assert any(i.startswith("social_care_vacancies-negative_") for i in ids)
    assert any(i.startswith("unemployment_rate-pct_above_100_") for i in ids)
    assert any(i.startswith("gdp_deflator-negative_") for i in ids)
    assert any(i.startswith("published_numbers-below_minimum_") for i in ids)


@pytest.mark.parametrize("name", RAW_TABLES)
def test_rewriting_a_copy_without_changes_still_loads(raw: RawEditor, project: Path, name: str) -> None:
    """The editing helper itself must not break a file, or every case below would pass for free."""
    before = load(name, project)
    raw.write_rows(name, raw.rows(name))
    after = load(name, project)
    assert after.equals(before)
    assert after.height == len(raw.rows(name)) - 1


@pytest.mark.parametrize(("name", "breaker"), CASES)
def test_broken_copy_raises_and_says_where(
    raw: RawEditor, project: Path, name: str, breaker: Breaker
) -> None:
    _with_rows(raw, name)
    expect = breaker(raw, name)
    with pytest.raises(RawDataError) as info:
        load(name, project)
    error = info.value
    message = str(error)
    assert isinstance(error, expect.error)
    if expect.error is not ChecksumError:
        assert not isinstance(error, ChecksumError), "the edited copy should have passed its checksum"
    assert f"data/raw/{name}.csv" in message
    assert expect.phrase in message
    assert "Fix:" in message
    assert str(project) not in message, "messages name files relative to the project root"
    matching = [p for p in error.problems if expect.phrase in str(p)]
    assert matching, f"no single problem says {expect.phrase!r}: {message}"
    if expect.line is not None:
        # One problem on several rows (a duplicated key) is one message listing its lines.
        assert re.search(rf"\blines? (\d+, )*{expect.line}\b", message), message
        matching = [p for p in matching if p.line == expect.line]
        assert matching, f"no problem on line {expect.line}: {message}"
    if expect.column is not None:
        assert f"column '{expect.column}'" in message
        assert any(p.column == expect.column for p in matching), message


def test_duplicate_key_reports_both_rows(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    raw.write_rows("unemployment_rate", [*rows, list(rows[2])])
    with pytest.raises(RawDataError) as info:
        load("unemployment_rate", project)
    lines = sorted(p.line for p in info.value.problems if "duplicate key" in p.what)
    assert lines == [3, len(rows) + 1]


def test_every_problem_in_a_file_is_reported_at_once(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    rate = rows[0].index("unemployment_rate_pct")
    rows[2][rate] = "high"
    rows[5][rate] = "n/a"
    raw.write_rows("unemployment_rate", rows)
    with pytest.raises(RawDataError) as info:
        load("unemployment_rate", project)
    assert sorted(p.line for p in info.value.problems) == [3, 6]
    assert "2 problem(s)" in str(info.value)


def test_loaded_tables_have_the_declared_dtypes(project: Path) -> None:
    for name in RAW_TABLES:
        frame = load(name, project)
        assert frame.columns == list(TABLES[name].columns)
        for column in frame.columns:
            expected = {"str": pl.String, "float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean}
            assert frame[column].dtype == expected[FIELDS[column].dtype], (name, column)


# ---- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize("name", RAW_TABLES)
def test_cli_build_on_a_broken_copy_exits_1_with_the_error_on_stderr(
    raw: RawEditor, project: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_rows(raw, name)
    # A number column, or for a table of text alone, one whose values are a fixed list.
    numeric = next(
        c for c in TABLES[name].columns if FIELDS[c].dtype in ("float", "int") or FIELDS[c].allowed
    )
    line = _set_cell(raw, name, numeric, "twelve")
    code = main(["--root", str(project), "build"])
    captured = capsys.readouterr()
    assert code == 1
    assert f"data/raw/{name}.csv, line {line}, column '{numeric}'" in captured.err
    assert "'twelve' is not" in captured.err
    assert "Traceback" not in captured.err
    assert "twelve" not in captured.out
    assert list((project / "data" / "processed").iterdir()) == []


def test_cli_check_reports_a_checksum_mismatch(
    raw: RawEditor, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed_digit_without_new_checksum(raw, "gdp_deflator")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert "data/raw/gdp_deflator.csv" in err
    assert "checksum mismatch" in err


def test_cli_check_passes_on_an_intact_copy(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "check"]) == 0
    out = capsys.readouterr().out
    for name in RAW_TABLES:
        assert f"ok  {name}.csv" in out


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
def test_non_finite_number_is_rejected(raw: RawEditor, project: Path, value: str) -> None:
    line = _set_cell(raw, "gdp_deflator", "gdp_deflator_index", value)
    with pytest.raises(RawDataError) as caught:
        load("gdp_deflator", project)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (line, "gdp_deflator_index")
    assert "is not a number" in problem.what


def test_file_cut_inside_a_quoted_last_field_is_rejected(raw: RawEditor, project: Path) -> None:
    data = raw_path(project, "published_numbers").read_bytes()
    cut = data.rstrip(b"\n")
    cut = cut[: cut.rindex(b'"') - 3]  # inside the last quoted locator, quote left open
    raw.write_bytes("published_numbers", cut + b"\n")
    with pytest.raises(RawDataError, match=r"unclosed quote|truncated"):
        load("published_numbers", project)


def test_line_numbers_count_physical_lines_when_a_note_spans_two(raw: RawEditor, project: Path) -> None:
    rows = raw.rows("unemployment_rate")
    header = rows[0]
    rows[1][header.index("note")] = "first line of a note\nsecond line"
    rows[3][header.index("unemployment_rate_pct")] = "-1"
    raw.write_rows("unemployment_rate", rows)
    with pytest.raises(RawDataError) as caught:
        load("unemployment_rate", project)
    # header is line 1, row 1 takes lines 2-3, row 2 is line 4, row 3 is line 5
    assert caught.value.problems[0].line == 5
