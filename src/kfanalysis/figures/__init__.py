"""The report's seven figures: which are built, and what the others will need.

Each built figure is a module with three functions: ``build(root)`` returns its
tidy table from data/raw alone, ``plot(table, root)`` draws it, and
``claims(table)`` recomputes the published numbers that rest on it. Figures
not built yet are listed with the inputs they will need, so the ledger can say
exactly why their claims are ``missing_input``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import polars as pl
    from matplotlib.figure import Figure

    from kfanalysis.published import ClaimResult


class FigureModule(Protocol):
    """What a figure module provides."""

    TABLE: str
    INPUTS: tuple[str, ...]

    def build(self, root: Path | str | None = None) -> pl.DataFrame:
        """Build the figure's table from data/raw."""

    def plot(self, table: pl.DataFrame, root: Path | str | None = None) -> Figure:
        """Draw the figure; ``root`` is where the report's published values are read from."""

    def claims(self, table: pl.DataFrame) -> dict[str, ClaimResult]:
        """Recompute the figure's published numbers."""


@dataclass(frozen=True)
class FigureSpec:
    """One of the report's figures.

    Attributes:
        figure: Identifier used in published_numbers.csv ("fig7").
        title: Our short title for the figure.
        module: Module name under kfanalysis.figures, or None if not built yet.
        planned_inputs: For figures not built: the official series they will need.
        partly: True for a built figure that rebuilds only part of the report's chart (its
            chapter says which part), so the landing page and README do not call it done.
        awaits_files: True for a figure whose code is in place but whose official files are read
            only when a user brings them in (``kfanalysis ingest``): while every one of its
            published numbers still lacks an input, it is called "awaiting files", never built.
    """

    figure: str
    title: str
    module: str | None
    planned_inputs: str = ""
    partly: bool = False
    awaits_files: bool = False

    def built_label_given(self, statuses: list[str]) -> str:
        """How far the figure is rebuilt, given its claims' ledger statuses.

        A figure that awaits files and has no claim with an input yet has nothing drawn from
        data: calling it "partly" built would overstate it.
        """
        if self.awaits_files and all(s == "missing_input" for s in statuses):
            return "awaiting files"
        return self.built_label

    @property
    def built_label(self) -> str:
        """How far the figure is rebuilt, in words: 'yes', 'partly' or 'not yet'."""
        if not self.is_built:
            return "not yet"
        return "partly" if self.partly else "yes"

    @property
    def is_built(self) -> bool:
        """True when the figure has a module."""
        return self.module is not None

    def load_module(self) -> FigureModule:
        """Import the figure's module."""
        if self.module is None:
            raise ValueError(f"{self.figure} is not built yet")
        return importlib.import_module(f"kfanalysis.figures.{self.module}")


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("fig1", "Daily NHS activity by setting", "fig1_activity"),
    FigureSpec("fig2", "Spending by sector, 2021/22", "fig2_spending", partly=True),
    FigureSpec(
        "fig3",
        "Growth in NHS trust spending by trust type, 2016/17 to 2021/22",
        "fig3_trust_growth",
        partly=True,
        awaits_files=True,
    ),
    FigureSpec(
        "fig4",
        "Council adult social care spending against people supported",
        "fig4_social_care",
    ),
    FigureSpec(
        "fig5",
        "Doctors: past five years against the next five",
        "fig5_doctors",
        partly=True,
    ),
    FigureSpec(
        "fig6",
        "Nurses: past ten years against the next ten",
        "fig6_nurses",
        partly=True,
    ),
    FigureSpec("fig7", "Social care vacancy rate against the unemployment rate", "fig7_vacancies"),
)


def figure_spec(figure: str) -> FigureSpec:
    """Look up a figure by its identifier ("fig7")."""
    for spec in FIGURES:
        if spec.figure == figure:
            return spec
    raise KeyError(f"no figure {figure!r}; known: {', '.join(s.figure for s in FIGURES)}")


def built_figures() -> list[FigureSpec]:
    """The figures that have a module, in report order."""
    return [s for s in FIGURES if s.is_built]


def planned_reasons() -> dict[str, str]:
    """For each figure not built yet, the sentence the ledger gives its claims."""
    return {
        s.figure: f"Figure {s.figure[3:]} is not built yet; it will need {s.planned_inputs}."
        for s in FIGURES
        if not s.is_built
    }
