"""kfanalysis: the figures of 'Making care closer to home a reality' rebuilt from official statistics.

The public API is re-exported here and imported lazily, so that ``import
kfanalysis`` is quick and pulls in polars, pandera or matplotlib only when a
function that needs them is first used.

    >>> import kfanalysis
    >>> vacancies = kfanalysis.load("social_care_vacancies")
    >>> table = kfanalysis.to_real_terms(frame, "spend_gbp_m")
    >>> kfanalysis.ledger()
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load": "kfanalysis.loader",
    "to_real_terms": "kfanalysis.prices",
    "rebase": "kfanalysis.prices",
    "deflator": "kfanalysis.prices",
    "ledger": "kfanalysis.pipeline",
    "published_numbers": "kfanalysis.published",
    "build": "kfanalysis.pipeline",
    "build_tables": "kfanalysis.pipeline",
    "read_sources": "kfanalysis.sources",
    "FinancialYear": "kfanalysis.periods",
    "figures": "kfanalysis.figures",
    "KfError": "kfanalysis.errors",
    "RawDataError": "kfanalysis.errors",
    "ChecksumError": "kfanalysis.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kfanalysis' has no attribute {name!r}")
    module = import_module(_EXPORTS[name])
    value = module if name == "figures" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
