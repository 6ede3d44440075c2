"""kfanalysis: the figures of 'Making care closer to home a reality' rebuilt from official statistics.

Start with :func:`catalog` (what tables there are) and :func:`describe` (what
their columns mean), then :func:`load` a table. Money goes to real terms with
:func:`to_real_terms`; :func:`ledger` says which of the report's numbers were
reproduced.

    >>> import polars as pl
    >>> import kfanalysis
    >>> kfanalysis.catalog().filter(kind="raw").height > 0
    True
    >>> cash = kfanalysis.load("asc_expenditure").filter(pl.col("price_basis") == "cash")
    >>> real = kfanalysis.to_real_terms(cash, "gross_current_expenditure_gbp_bn", allow_forecast=True)
    >>> real.filter(financial_year="2021/22").select(
    ...     "gross_current_expenditure_gbp_bn", "gross_current_expenditure_gbp_bn_real_2021_22"
    ... ).row(0)
    (21.96, 21.96)

The names below are imported on first use, so ``import kfanalysis`` stays quick
and pulls in polars, pandera or matplotlib only when a function needs them.
Editors and type checkers read the same names from the ``TYPE_CHECKING`` block,
so completion, signatures and ``mypy`` see the real functions.
"""

import typing as _typing

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:
    from kfanalysis import figures as figures
    from kfanalysis import outputs as outputs
    from kfanalysis.briefing import export as export
    from kfanalysis.datahome import data_home as data_home
    from kfanalysis.dictionary import catalog as catalog
    from kfanalysis.dictionary import describe as describe
    from kfanalysis.errors import ChecksumError as ChecksumError
    from kfanalysis.errors import ForecastDeflatorWarning as ForecastDeflatorWarning
    from kfanalysis.errors import KfError as KfError
    from kfanalysis.errors import RawDataError as RawDataError
    from kfanalysis.errors import RealTermsError as RealTermsError
    from kfanalysis.loader import load as load
    from kfanalysis.periods import FinancialYear as FinancialYear
    from kfanalysis.pipeline import build as build
    from kfanalysis.pipeline import build_tables as build_tables
    from kfanalysis.pipeline import ledger as ledger
    from kfanalysis.pipeline import since_report as since_report
    from kfanalysis.prices import EDITIONS as EDITIONS
    from kfanalysis.prices import deflator as deflator
    from kfanalysis.prices import rebase as rebase
    from kfanalysis.prices import to_cash_terms as to_cash_terms
    from kfanalysis.prices import to_real_terms as to_real_terms
    from kfanalysis.published import published_numbers as published_numbers
    from kfanalysis.readings import provenance as provenance
    from kfanalysis.sources import read_sources as read_sources
    from kfanalysis.trends import fit_annual_growth as fit_annual_growth
    from kfanalysis.trends import fit_line as fit_line

__all__ = [
    "EDITIONS",
    "ChecksumError",
    "FinancialYear",
    "ForecastDeflatorWarning",
    "KfError",
    "RawDataError",
    "RealTermsError",
    "build",
    "build_tables",
    "catalog",
    "data_home",
    "deflator",
    "describe",
    "export",
    "figures",
    "fit_annual_growth",
    "fit_line",
    "ledger",
    "load",
    "outputs",
    "provenance",
    "published_numbers",
    "read_sources",
    "rebase",
    "since_report",
    "to_cash_terms",
    "to_real_terms",
]


def __getattr__(name: str) -> object:
    """Import a public name from the module that defines it, the first time it is used."""
    homes = {
        "catalog": "dictionary",
        "data_home": "datahome",
        "export": "briefing",
        "provenance": "readings",
        "describe": "dictionary",
        "ChecksumError": "errors",
        "ForecastDeflatorWarning": "errors",
        "KfError": "errors",
        "RawDataError": "errors",
        "RealTermsError": "errors",
        "load": "loader",
        "FinancialYear": "periods",
        "build": "pipeline",
        "build_tables": "pipeline",
        "ledger": "pipeline",
        "since_report": "pipeline",
        "EDITIONS": "prices",
        "deflator": "prices",
        "rebase": "prices",
        "to_cash_terms": "prices",
        "to_real_terms": "prices",
        "published_numbers": "published",
        "read_sources": "sources",
        "fit_annual_growth": "trends",
        "fit_line": "trends",
    }
    from importlib import import_module

    if name in ("figures", "outputs"):
        value: object = import_module(f"kfanalysis.{name}")
    elif name in homes:
        value = getattr(import_module(f"kfanalysis.{homes[name]}"), name)
    else:
        raise AttributeError(f"module 'kfanalysis' has no attribute {name!r}; see kfanalysis.__all__")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
