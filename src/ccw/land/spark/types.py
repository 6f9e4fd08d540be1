"""The registry's DuckDB types as Spark types, so the raw tables on Spark hold what the DuckDB ones hold.

``ccw.exports`` spells every raw column as DuckDB does (``VARCHAR``, ``STRUCT(a VARCHAR, b JSON)``, ``T[]``,
``DECIMAL(12,2)`` ...). One registry serves both engines: this module reads those spellings, it does not keep a
second list. ``JSON`` becomes a string of JSON text (what DuckDB's JSON type holds and what the stop-gap's Parquet
copies gave Spark); ``TIMESTAMP`` becomes Spark's TIMESTAMP (UTC in the session's time zone, as the dbt models read
it).
"""

from __future__ import annotations

import re

from pyspark.sql import types as T

from ccw.land.readers import split_top_level

_SCALARS: dict[str, T.DataType] = {
    "VARCHAR": T.StringType(),
    "TEXT": T.StringType(),
    "JSON": T.StringType(),
    "BIGINT": T.LongType(),
    "INTEGER": T.IntegerType(),
    "SMALLINT": T.ShortType(),
    "DOUBLE": T.DoubleType(),
    "FLOAT": T.FloatType(),
    "BOOLEAN": T.BooleanType(),
    "DATE": T.DateType(),
    "TIMESTAMP": T.TimestampType(),
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)", re.IGNORECASE)


def spark_type(duckdb_type: str) -> T.DataType:
    """``STRUCT(Name VARCHAR, Tags JSON)`` -> ``struct<Name:string,Tags:string>``; ``VARCHAR[]`` -> array; a type
    this project's registry does not use raises ``ValueError`` naming it."""
    text = duckdb_type.strip()
    if text.endswith("[]"):
        return T.ArrayType(spark_type(text[:-2]))
    if text.upper().startswith("STRUCT(") and text.endswith(")"):
        fields = []
        for part in split_top_level(text[len("STRUCT("):-1]):
            name, _, field_type = part.partition(" ")
            fields.append(T.StructField(name.strip('"'), spark_type(field_type)))
        return T.StructType(fields)
    decimal = _DECIMAL.fullmatch(text)
    if decimal:
        return T.DecimalType(int(decimal[1]), int(decimal[2]))
    try:
        return _SCALARS[text.upper()]
    except KeyError:
        raise ValueError(f"no Spark type for the registry's DuckDB type {duckdb_type!r}") from None


def spark_schema(columns: dict[str, str]) -> T.StructType:
    """A Spark schema of ``name -> DuckDB type`` columns, in their order."""
    return T.StructType([T.StructField(name, spark_type(raw_type)) for name, raw_type in columns.items()])
