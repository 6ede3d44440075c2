"""What tables there are and what their columns mean, as DataFrames an analyst can read.

The field dictionary (``kfanalysis.fields``) is the one place where every
table and column is defined; this module turns it into two answers a new
user asks first: "what can I load?" (:func:`catalog`) and "what is in this
table?" (:func:`describe`). Nothing here reads data, so both are instant.
"""

from __future__ import annotations

import re

import polars as pl

from kfanalysis.fields import FIELDS, TABLES, table

#: Trailing name parts that say the unit, dropped from labels because the unit is shown apart.
_UNIT_PARTS = ("gbp", "bn", "m", "pct", "count", "fte", "index", "headcount")
_ACRONYMS = {"gdp": "GDP", "gp": "GP", "gps": "GPs", "nhs": "NHS", "dhsc": "DHSC", "rdel": "RDEL", "id": "ID"}


def catalog() -> pl.DataFrame:
    """Every table: raw extracts (``kind`` "raw", read with :func:`~kfanalysis.loader.load`) and built ones.

    Built tables (``kind`` "built") are the figure tables and the ledger, made by
    ``kfanalysis.build()`` into data/processed.

    Example:
        >>> import kfanalysis
        >>> tables = kfanalysis.catalog()
        >>> tables.columns
        ['name', 'kind', 'file', 'key', 'description']
        >>> "gdp_deflator" in tables.filter(kind="raw")["name"].to_list()
        True

    Returns:
        One row per table: name, kind, file, key columns and what one row is.
    """
    return pl.DataFrame(
        [
            {
                "name": t.name,
                "kind": "raw" if t.is_raw else "built",
                "file": f"{'data/raw' if t.is_raw else 'data/processed'}/{t.filename}",
                "key": ", ".join(t.key),
                "description": t.description,
            }
            for t in TABLES.values()
        ],
        schema={n: pl.String for n in ("name", "kind", "file", "key", "description")},
    )


def label(column: str) -> str:
    """A readable label for a column, for chart axes and tables: words, then the unit.

    Example:
        >>> label("gross_current_expenditure_gbp_bn")
        'Gross current expenditure (£ billion)'
        >>> label("spending_real_2021_22_gbp_bn")
        'Spending (£ billion, 2021/22 prices)'
    """
    field = FIELDS[column]
    words = re.sub(r"(\d{4})_(\d{2})", r"\1/\2", column).split("_")
    while field.unit and len(words) > 1 and words[-1] in _UNIT_PARTS:
        words.pop()
    if field.unit and "prices" in field.unit:  # the unit already says real terms and the base
        words = [w for w in words if w != "real" and not re.fullmatch(r"\d{4}/\d{2}", w)]
    text = " ".join(_ACRONYMS.get(w, w) for w in words)
    text = text[:1].upper() + text[1:]
    return f"{text} ({field.unit})" if field.unit else text


def describe(name: str) -> pl.DataFrame:
    """The columns of one table: label, unit, type, whether it may be empty, and what it means.

    Example:
        >>> import kfanalysis
        >>> columns = kfanalysis.describe("gdp_deflator")
        >>> columns.filter(column="gdp_deflator_change_pct").select("label", "unit").row(0)
        ('GDP deflator change (%)', '%')

    Args:
        name: A table name from :func:`catalog`.

    Returns:
        One row per column, in file order: column, label, unit, dtype, key, may_be_empty,
        allowed (the values the schema accepts) and meaning.

    Raises:
        KeyError: If there is no such table; the message lists the tables.
    """
    spec = table(name)
    return pl.DataFrame(
        [
            {
                "column": c,
                "label": label(c),
                "unit": FIELDS[c].unit,
                "dtype": FIELDS[c].dtype,
                "key": c in spec.key,
                "may_be_empty": c in spec.nullable,
                "allowed": FIELDS[c].rule(),
                "meaning": FIELDS[c].description,
            }
            for c in spec.columns
        ],
        schema={
            "column": pl.String,
            "label": pl.String,
            "unit": pl.String,
            "dtype": pl.String,
            "key": pl.Boolean,
            "may_be_empty": pl.Boolean,
            "allowed": pl.String,
            "meaning": pl.String,
        },
    )
