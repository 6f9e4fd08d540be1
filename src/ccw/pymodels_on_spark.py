"""Build the project's dbt Python models on Spark, the way dbt-duckdb builds them on DuckDB (issue 20, item 3).

dbt-spark runs Python models only on Databricks. On any other Spark they are built between two dbt runs: everything
that does not need a Python model; then the Python models (``build_models``); then what reads them. Both the Dagster
dbt asset on Spark (``CCW_ENGINE=spark``) and ``scripts/spark_python_models.py`` use this module.

For each Python model of the Spark build's manifest, in dependency order: its inputs (``depends_on``: models and
seeds) are read from the Spark catalogue as Arrow tables into an in-memory DuckDB; the model's own
``model(dbt, session)`` runs there through ``ccw.pymodel_host`` (a full build, with the model's YAML config); the
result is written back as the table dbt would have written (the node's schema and alias, the target's file format),
replacing the old one. Spark's TIMESTAMP columns arrive zone-less, as DuckDB's (``naive_utc``).

The Spark session is the `spark` target's (``ccw.spark.spark_session``: the same warehouse directory and metastore),
so run it when no dbt process holds that metastore (Derby: one process at a time).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from ccw.config import PROJECT_ROOT
from ccw.pymodel_host import load_model, run_model


def python_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's Python model nodes, each after the Python models it depends on (then by name)."""
    nodes = {uid: node for uid, node in manifest["nodes"].items()
             if node["resource_type"] == "model" and node.get("language") == "python"}
    ordered: list[str] = []

    def visit(uid: str, path: tuple[str, ...] = ()) -> None:
        if uid in ordered:
            return
        if uid in path:
            raise ValueError(f"a cycle of Python models: {' -> '.join((*path, uid))}")
        for parent in sorted(nodes[uid]["depends_on"]["nodes"]):
            if parent in nodes:
                visit(parent, (*path, uid))
        ordered.append(uid)

    for uid in sorted(nodes, key=lambda u: nodes[u]["name"]):
        visit(uid)
    return [nodes[uid] for uid in ordered]


def relation(node: dict[str, Any]) -> str:
    return f"`{node['schema']}`.`{node['alias'] or node['name']}`"


def naive_utc(table: pa.Table) -> pa.Table:
    """Spark's TIMESTAMP columns as the DuckDB build has them: Arrow gives them as UTC instants (``timestamp[us,
    tz=UTC]``: the session time zone is UTC), DuckDB's TIMESTAMP is zone-less UTC. Without this a model would
    compare aware with naive times (the volume forecast matched no interval: every count 0)."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            table = table.set_column(index, field.name, table.column(index).cast(pa.timestamp(field.type.unit)))
    return table


def build(spark: Any, manifest: dict[str, Any], node: dict[str, Any]) -> tuple[int, float]:
    """One Python model built on Spark: (rows written, seconds)."""
    started = time.perf_counter()
    session = duckdb.connect()
    try:
        for parent_id in node["depends_on"]["nodes"]:
            parent = manifest["nodes"][parent_id]
            # the Arrow table itself under the ref's name (a view, not a copy: the churn features are the largest input)
            session.register(parent["name"], naive_utc(spark.table(relation(parent)).toArrow()))
        table = run_model(load_model(PROJECT_ROOT / node["original_file_path"]), session, this=node["alias"],
                          config=node["config"])
    finally:
        session.close()
    spark.sql(f"create database if not exists `{node['schema']}`")
    spark.createDataFrame(table).write.mode("overwrite").format(node["config"].get("file_format") or "parquet") \
        .saveAsTable(relation(node))
    return table.num_rows, time.perf_counter() - started


@dataclass(frozen=True)
class Built:
    unique_id: str
    name: str
    relation: str
    rows: int
    seconds: float


def build_models(manifest: dict[str, Any], unique_ids: Iterable[str] | None = None,
                 log: Any = None) -> list[Built]:
    """Build the Python models ``unique_ids`` (default: all), in dependency order, in the Spark session of the
    `spark` target (this process's, started here when it has none). ``log(text)`` is called after each model."""
    from ccw.spark import spark_session

    wanted = None if unique_ids is None else set(unique_ids)
    models = [n for n in python_models(manifest) if wanted is None or n["unique_id"] in wanted]
    built: list[Built] = []
    if not models:
        return built
    spark = spark_session()
    for node in models:
        rows, seconds = build(spark, manifest, node)
        built.append(Built(node["unique_id"], node["name"], relation(node), rows, seconds))
        if log is not None:
            log(f"  {node['schema']}.{node['alias']:<36} {rows:>8,} rows  {seconds:6.1f} s")
    return built
