"""pandera schemas for every raw and figure table, generated from ``fields.py``.

Writing schemas by hand would put each column's rules in two places; building
them from the field dictionary keeps one. pandera is imported only when a
schema is first asked for, because it is slow to import and most uses of the
package (reading a built table, say) never need it.

Schemas validate collected DataFrames: on a LazyFrame pandera checks only
column names and dtypes, not values.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from kfanalysis.fields import FIELDS, Field, table

if TYPE_CHECKING:
    import pandera.polars as pa

POLARS_DTYPES: dict[str, type[pl.DataType]] = {
    "str": pl.String,
    "float": pl.Float64,
    "int": pl.Int64,
    "bool": pl.Boolean,
}


def polars_dtype(field: Field) -> type[pl.DataType]:
    """The polars dtype a field is read and stored as."""
    return POLARS_DTYPES[field.dtype]


def _consecutive_years(data: Any) -> pl.LazyFrame:
    """Pandera check: the two halves of "2021/22" are consecutive years.

    An empty cell passes here: whether a column may be empty is the schema's nullable rule.
    """
    column = pl.col(data.key)
    start = column.str.slice(0, 4).cast(pl.Int32, strict=False)
    end = column.str.slice(5, 2).cast(pl.Int32, strict=False)
    return data.lazyframe.select(column.is_null() | ((start + 1) % 100 == end).fill_null(False))


def _checks(field: Field) -> list[pa.Check]:
    import pandera.polars as pa

    checks: list[pa.Check] = []
    if field.minimum is not None:
        checks.append(pa.Check.ge(field.minimum))
    if field.maximum is not None:
        checks.append(pa.Check.le(field.maximum))
    if field.pattern is not None:
        checks.append(pa.Check.str_matches(field.pattern))
    if field.allowed is not None:
        checks.append(pa.Check.isin(list(field.allowed)))
    if field.is_financial_year:
        checks.append(
            pa.Check(
                _consecutive_years,
                name="consecutive_years",
                error="halves of the financial year are not consecutive years",
            )
        )
    if field.dtype == "str" and field.allowed is None and field.pattern is None:
        checks.append(
            pa.Check(
                lambda data: data.lazyframe.select(pl.col(data.key).str.strip_chars().str.len_chars() > 0),
                name="not_blank",
            )
        )
    return checks


@cache
def schema_for(name: str) -> pa.DataFrameSchema:
    """Build (once) the pandera schema of a table named in ``fields.TABLES``."""
    import pandera.polars as pa

    spec = table(name)
    columns = {
        column: pa.Column(
            polars_dtype(FIELDS[column]),
            checks=_checks(FIELDS[column]),
            nullable=column in spec.nullable,
            description=FIELDS[column].description,
            title=FIELDS[column].unit,
        )
        for column in spec.columns
    }
    return pa.DataFrameSchema(
        columns,
        name=name,
        strict=True,
        ordered=True,
        unique=list(spec.key),
        report_duplicates="all",
    )


def validate(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Validate a collected table against its schema, reporting every failure at once.

    Raises:
        pandera.errors.SchemaErrors: With one failure case per bad value.
    """
    return schema_for(name).validate(frame, lazy=True)
