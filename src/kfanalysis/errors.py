"""Exceptions that tell an analyst what is wrong, where, and how to fix it.

Every failure a user can cause (a mistyped number, a missing source, an edited
file) is raised as a :class:`KfError` whose message names the file, and where
there is one the line and column, followed by a line starting ``Fix:``.
"""

from __future__ import annotations

from dataclasses import dataclass


class KfError(Exception):
    """Base class for every error kfanalysis raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a file.

    Attributes:
        file: Path of the file, relative to the project root where possible.
        what: What is wrong, in plain words.
        fix: What to do about it.
        line: 1-based line number in the file (the header is line 1), if known.
        column: Column name, if the problem belongs to one column.
    """

    file: str
    what: str
    fix: str
    line: int | None = None
    column: str | None = None

    def where(self) -> str:
        """Render 'file, line N, column 'x'' with only the parts that are known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.what}\n  Fix: {self.fix}"


class RawDataError(KfError):
    """A raw file failed a check; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("RawDataError needs at least one problem")
        self.problems = problems
        head = f"{len(problems)} problem(s) in raw data:" if len(problems) > 1 else "problem in raw data:"
        shown = problems[:20]
        body = "\n".join(f"- {p}" for p in shown)
        more = f"\n- ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{head}\n{body}{more}")


class ChecksumError(RawDataError):
    """A raw file's bytes do not match data/raw/SHA256SUMS (or it is not listed there)."""


class FigureInputError(KfError):
    """A figure cannot be built because a table lacks something the figure needs."""


class RealTermsError(KfError, ValueError):
    """A table cannot be put in (or out of) real terms as asked: wrong basis, bad year, unknown edition.

    It is also a ``ValueError``, because in every case the argument's value is what is wrong.
    """


class ForecastDeflatorWarning(UserWarning):
    """A real-terms value rests on forecast deflator values, which later editions revise."""
