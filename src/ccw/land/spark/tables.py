"""The raw tables and landing's bookkeeping tables in the Spark catalogue (schema ``raw``).

Raw tables: the DuckDB raw tables' names and columns (``ccw.exports``: registry columns, then the landing columns),
Spark types from ``ccw.land.spark.types``. Each is an EXTERNAL Parquet table over its own folder,
``<warehouse dir>/../landed/<system>__<entity>/``, read with ``recursiveFileLookup``: every landed file's rows are
in a sub-folder of their own (``file=<escaped relative path>/``, written by ``ccw.land.spark.write``), and the
table reads them all. Not a partitioned table: a partition column would move to the end of the table's columns and
be a column dbt sees; here the folder is only where the rows sit (``recursiveFileLookup`` turns partition
inference off), so the table has exactly the DuckDB raw table's columns in the same order.

Bookkeeping: ``raw._landing_manifest``, ``raw._quarantine``, ``raw._refused_paths`` and the two ``*_retired``
tables, managed Parquet tables with the columns of the DuckDB ones, read off an in-memory DuckDB database built by
``ccw.land.tables.ensure_raw_tables`` (one definition for both engines), and the view ``raw._landing_files`` with
the DuckDB view's own SQL (portable: window functions, ``coalesce``).
"""

from __future__ import annotations

import duckdb
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from ccw.exports import ENTITIES, LANDING_COLUMNS, Entity
from ccw.land.spark.types import spark_schema
from ccw.land.tables import (
    FILES_VIEW_DDL,
    MANIFEST,
    MANIFEST_RETIRED,
    QUARANTINE,
    QUARANTINE_RETIRED,
    REFUSED_PATHS,
    SCHEMA,
    ensure_raw_tables,
)

BOOKKEEPING = (MANIFEST, QUARANTINE, REFUSED_PATHS, MANIFEST_RETIRED, QUARANTINE_RETIRED)
#: the folder (under the table's location) of one landed file's rows: ``file=<escaped relative path>``
FILE_FOLDER_COLUMN = "file"
_RECURSIVE = "recursiveFileLookup"


def quoted(table: str) -> str:
    """``raw.x`` -> ``raw.`x``` (names with ``__`` or a leading ``_`` are fine unquoted; quoting is for safety)."""
    schema, _, name = table.partition(".")
    return f"{schema}.`{name}`"


def raw_table(entity: Entity) -> str:
    return f"{SCHEMA}.{entity.table}"


def raw_columns(entity: Entity) -> dict[str, str]:
    """The raw table's columns as DuckDB types: the registry's, then the landing columns."""
    return {**entity.raw_columns, **LANDING_COLUMNS}


def landed_root(spark: SparkSession) -> str:
    """Where the raw tables' folders are: ``landed/`` beside the warehouse directory (``$CCW_DATA_DIR/spark``)."""
    warehouse = spark.conf.get("spark.sql.warehouse.dir") or "spark-warehouse"
    return warehouse.rstrip("/").rsplit("/", 1)[0] + "/landed"


def table_location(spark: SparkSession, entity: Entity) -> str:
    return f"{landed_root(spark)}/{entity.table}"


def bookkeeping_columns() -> dict[str, dict[str, str]]:
    """table -> column -> DuckDB type of landing's bookkeeping tables, as DuckDB's landing creates them."""
    with duckdb.connect() as con:
        ensure_raw_tables(con)
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position", [SCHEMA]).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        if table in BOOKKEEPING:
            out.setdefault(table, {})[column] = data_type
    return out


def _recursive_tables(spark: SparkSession) -> dict[str, bool]:
    """Every table of schema ``raw`` -> whether it reads its folder recursively (one catalogue call for all)."""
    rows = spark.sql(f"show table extended in {SCHEMA} like '*'").collect()
    return {f"{SCHEMA}.{r['tableName']}": f"{_RECURSIVE}=true" in str(r["information"])
            for r in rows if not r["isTemporary"]}


def _ensure_raw_table(spark: SparkSession, entity: Entity, recursive: bool | None) -> None:
    """Create the raw table over its folder (``recursive``: None when there is no such table); a table of an earlier
    layout (the stop-gap's Parquet copy, no recursive lookup) is replaced by one over the landed folder (an external
    table: no file is deleted); registry columns the table lacks are added (null in the rows already landed)."""
    table, schema = raw_table(entity), spark_schema(raw_columns(entity))
    if recursive is False:
        spark.sql(f"drop table {quoted(table)}")
    if not recursive:
        spark.catalog.createTable(table, path=table_location(spark, entity), source="parquet", schema=schema,
                                  **{_RECURSIVE: "true"})
        return
    present = set(spark.table(quoted(table)).columns)
    missing = [f for f in schema.fields if f.name not in present]
    if missing:
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in missing)
        spark.sql(f"alter table {quoted(table)} add columns ({columns})")


def ensure_spark_tables(spark: SparkSession) -> None:
    """Schema ``raw``, every registered raw table, the bookkeeping tables and the per-file view (idempotent)."""
    spark.sql(f"create database if not exists {SCHEMA}")
    existing = _recursive_tables(spark)
    for entity in ENTITIES:
        _ensure_raw_table(spark, entity, existing.get(raw_table(entity)))
    for table, columns in bookkeeping_columns().items():
        if table not in existing:
            spark.catalog.createTable(table, source="parquet", schema=spark_schema(columns))
    spark.sql(FILES_VIEW_DDL)


def table_schema(spark: SparkSession, table: str) -> T.StructType:
    return spark.table(quoted(table)).schema

