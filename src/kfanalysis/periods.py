"""Financial years, the period every table in this project is keyed on.

Official UK health and care statistics are published for April-to-March
financial years, written in several ways ("2021/22", "2021-22", "2021-2022"),
while some tables give only the starting calendar year. Mixing the forms is an
easy way to join the wrong years, so every table stores one canonical form,
"2021/22", and every parse goes through :class:`FinancialYear`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import total_ordering

_PATTERN = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")
_CANONICAL = re.compile(r"^\d{4}/\d{2}$")

#: Regular expression that a canonical financial-year string matches.
CANONICAL_PATTERN = r"^\d{4}/\d{2}$"


@total_ordering
@dataclass(frozen=True, slots=True)
class FinancialYear:
    """A UK financial year, 1 April of ``start_year`` to 31 March of the next.

    Attributes:
        start_year: The calendar year in which the financial year begins.
    """

    start_year: int

    def __post_init__(self) -> None:
        if not isinstance(self.start_year, int) or isinstance(self.start_year, bool):
            raise TypeError(f"start_year must be an int, not {type(self.start_year).__name__}")
        if not 1900 <= self.start_year <= 2199:
            raise ValueError(
                f"financial year starting in {self.start_year} is outside 1900-2199; "
                "check the year was not typed as a two-digit or five-digit number"
            )

    @classmethod
    def parse(cls, value: FinancialYear | str | int) -> FinancialYear:
        """Read a financial year from any of the forms publishers use.

        Args:
            value: ``"2021/22"``, ``"2021-22"``, ``"2021/2022"``, ``"2021-2022"``,
                the starting year as an int (``2021``) or digit string, or a
                FinancialYear.

        Returns:
            The financial year.

        Raises:
            ValueError: If the text is not a financial year, or its two halves
                are not consecutive years (``"2021/23"``).
        """
        if isinstance(value, FinancialYear):
            return value
        if isinstance(value, bool):
            raise TypeError("a bool is not a financial year")
        if isinstance(value, int):
            return cls(value)
        if not isinstance(value, str):
            raise TypeError(f"cannot read a financial year from {type(value).__name__}")
        text = value.strip()
        if text.isdigit() and len(text) == 4:
            return cls(int(text))
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(
                f"{value!r} is not a financial year; write it as '2021/22' "
                "(also accepted: '2021-22', '2021/2022', or the starting year 2021)"
            )
        start = int(match.group(1))
        end_text = match.group(2)
        end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
        if len(end_text) == 2 and end < start:
            end += 100  # "1999/00" ends in the next century
        if end != start + 1:
            raise ValueError(
                f"{value!r} is not a financial year: {start} is not followed by {end}; "
                f"did you mean '{cls(start)}'?"
            )
        return cls(start)

    @staticmethod
    def is_canonical(text: str) -> bool:
        """Tell whether ``text`` is already in the canonical ``"2021/22"`` form."""
        if not _CANONICAL.match(text):
            return False
        start, end = int(text[:4]), int(text[5:])
        return (start + 1) % 100 == end

    @classmethod
    def range(cls, first: FinancialYear | str | int, last: FinancialYear | str | int) -> list[FinancialYear]:
        """Every financial year from ``first`` to ``last``, both included."""
        lo, hi = cls.parse(first), cls.parse(last)
        if hi < lo:
            raise ValueError(f"range runs backwards: {lo} is after {hi}")
        return [cls(y) for y in range(lo.start_year, hi.start_year + 1)]

    @property
    def end_year(self) -> int:
        """The calendar year in which the financial year ends (31 March)."""
        return self.start_year + 1

    def next(self) -> FinancialYear:
        """The following financial year."""
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        """The preceding financial year."""
        return FinancialYear(self.start_year - 1)

    def __sub__(self, other: FinancialYear) -> int:
        """Whole years between two financial years (2021/22 - 2016/17 == 5)."""
        if not isinstance(other, FinancialYear):
            return NotImplemented
        return self.start_year - other.start_year

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FinancialYear):
            return NotImplemented
        return self.start_year < other.start_year

    def __iter__(self) -> Iterator[int]:
        """Yield the start and end calendar years, so ``start, end = fy`` works."""
        yield self.start_year
        yield self.end_year

    def __str__(self) -> str:
        return f"{self.start_year}/{self.end_year % 100:02d}"

    def __repr__(self) -> str:
        return f"FinancialYear('{self}')"


def canonical(value: FinancialYear | str | int) -> str:
    """Return the canonical text form (``"2021/22"``) of any accepted financial year."""
    return str(FinancialYear.parse(value))
