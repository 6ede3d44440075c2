"""What every reader of an official file shares: the extract it returns and how it reports a bad file.

A reader takes one file as its publisher laid it out and returns the rows of one
raw table, each already carrying its ``source_id`` and ``locator``, as text
exactly as data/raw writes them, so that re-reading an unchanged file gives back
the committed rows byte for byte. Which rows of a file the project keeps (the
years, the staff groups) is declared beside each reader, never inferred from
what happens to be committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kfanalysis.errors import KfError

#: One raw table row, column name to the text data/raw holds ('' for empty).
Row = dict[str, str]


@dataclass(frozen=True)
class Extract:
    """The rows one official file gives for one raw table.

    Attributes:
        table: The raw table the rows belong to (a name in ``kfanalysis.fields.TABLES``).
        source_id: The edition in sources.toml the file is.
        path: The file read.
        sha256: The file's SHA-256, to be recorded for the edition.
        rows: The rows, in the order the file gives them; ``read_at`` and ``note`` are left
            empty by the reader (what the file itself cannot say) unless it knows better.
        replaces: Which committed rows of the table this extract stands for: a row is replaced
            when this returns True for it (by default, every row citing ``source_id``).
    """

    table: str
    source_id: str
    path: Path
    sha256: str
    rows: list[Row]
    replaces: Callable[[Row], bool] | None = field(default=None, compare=False)

    def stands_for(self, row: Row) -> bool:
        """True if ``row`` is one of the committed rows this extract is the new version of."""
        if self.replaces is not None:
            return self.replaces(row)
        return row.get("source_id") == self.source_id


def fail(path: Path, expected: str, found: str, fix: str) -> KfError:
    """An error naming the file, what the reader expected there and what it found instead."""
    return KfError(f"{path}: expected {expected}; found {found}\n  Fix: {fix}")


def number_text(value: float | int) -> str:
    """A number as data/raw writes it: whole numbers without a decimal point, others as repr gives them.

    Spreadsheet numbers are binary floats; ``repr`` prints the shortest text that reads back
    as the same float, so the published digits come back exactly.
    """
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def loose(text: object) -> str:
    """A header or sheet name reduced to lower-case letters and digits, so ' Total ' matches 'total'."""
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
