"""The semantic layer in the serving file: saved-query exports as tables, and the manifest they were compiled from.

Every saved query of the dbt project that declares an export (``exports: [{name, config: {export_as: table,
schema: metrics}}]`` in ``models/marts/**/_*__semantic.yml``) becomes the table ``<schema>.<alias>`` of the new
serving file: MetricFlow compiles the saved query (cached per manifest, ``ccw.metrics.compile_metric_sql``) and the
SQL runs on the new file itself, so the exported figures are those of the marts published with them. The semantic
manifest is stored as ``main._semantic_manifest``, so the daily report (and anyone) compiles metrics with the
definitions of this very version. A BI tool reads ``metrics.service_daily`` like any mart: the same definitions as
``ccw metrics query --saved-query service_daily``, without re-deriving a ratio.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ccw.metrics import SERVING_MANIFEST_TABLE, MetricQuery, compile_metric_sql, manifest_catalog
from ccw.sqltext import ident, literal

#: the schema of an export that names none
DEFAULT_EXPORT_SCHEMA = "metrics"
#: _publish.source_type of an exported saved query
SAVED_QUERY_SOURCE = "SAVED QUERY"


#: MetricFlow's time columns at a grain of a day or coarser: timestamps at midnight, exported as dates
DATE_GRAINS = ("__day", "__week", "__month", "__quarter", "__year")


def _column(name: str, dtype: str) -> str:
    """A column of an export as BI drivers read it best: 128-bit sums as bigint (like the marts), day-or-coarser
    time dimensions as dates (they join to the marts' date_day and month columns)."""
    if dtype == "HUGEINT":
        return f"cast({ident(name)} as bigint) as {ident(name)}"
    if dtype.startswith("TIMESTAMP") and name.endswith(DATE_GRAINS):
        return f"cast({ident(name)} as date) as {ident(name)}"
    return ident(name)


@dataclass(frozen=True)
class Export:
    saved_query: str
    schema: str
    table: str


@dataclass(frozen=True)
class MetricsExport:
    tables: dict[tuple[str, str], int]  # (schema, table) -> rows
    compiled: int  # saved queries MetricFlow compiled (0: every SQL came from the cache)


def table_exports(manifest: dict) -> list[Export]:
    """The table exports the manifest's saved queries declare (views are not supported: a view's SQL would name
    the catalog the publish attached the file under, which a reader need not share)."""
    exports = []
    for query in manifest.get("saved_queries", []):
        for export in query.get("exports") or []:
            config = export.get("config") or {}
            if config.get("export_as") != "table":
                raise ValueError(f"saved query {query['name']}: export {export['name']} is "
                                 f"{config.get('export_as')!r}; only export_as: table is published")
            exports.append(Export(query["name"], config.get("schema_name") or DEFAULT_EXPORT_SCHEMA,
                                  config.get("alias") or export["name"]))
    return exports


def export_metrics(target: Path, manifest_text: str, version_id: str, published_at: str,
                   storage_version: str) -> MetricsExport:
    """Write the saved-query exports and ``main._semantic_manifest`` into ``target`` (the new serving file, complete
    and detached), add the exports' rows to its ``_publish`` table, checkpoint and detach."""
    manifest = json.loads(manifest_text)
    exports = table_exports(manifest)
    compiled = compile_metric_sql({e.saved_query: MetricQuery(saved_query=e.saved_query) for e in exports},
                                  manifest_text)
    catalog = manifest_catalog(manifest)
    con = duckdb.connect()
    tables: dict[tuple[str, str], int] = {}
    try:
        con.execute(f"attach {literal(target)} as {ident(catalog)}")
        con.execute(f"use {ident(catalog)}")
        for export in exports:
            schema, table = ident(export.schema), ident(export.table)
            con.execute(f"create schema if not exists {schema}")
            sql = compiled.sql[export.saved_query]
            relation = con.sql(sql)
            columns = ", ".join(_column(name, str(dtype)) for name, dtype in zip(relation.columns, relation.dtypes,
                                                                                  strict=True))
            con.execute(f"create table {schema}.{table} as select {columns} from (\n{sql}\n)")
            rows = con.execute(f"select count(*) from {schema}.{table}").fetchall()
            tables[(export.schema, export.table)] = rows[0][0]
        con.execute(
            f"create table main.{SERVING_MANIFEST_TABLE} (version_id varchar not null, published_at timestamp not null,"
            " sha256 varchar not null, manifest_json varchar not null)"
        )
        con.execute(
            f"insert into main.{SERVING_MANIFEST_TABLE} values (?, ?::timestamp, ?, ?)",
            [version_id, published_at, hashlib.sha256(manifest_text.encode("utf-8")).hexdigest(), manifest_text],
        )
        con.executemany(
            "insert into main._publish values (?, ?::timestamp, ?, ?, ?, ?, ?)",
            [[version_id, published_at, schema, table, SAVED_QUERY_SOURCE, rows, storage_version]
             for (schema, table), rows in tables.items()],
        )
        con.execute(f"checkpoint {ident(catalog)}")
        con.execute("use memory")
        con.execute(f"detach {ident(catalog)}")
    finally:
        con.close()
    return MetricsExport(tables, compiled.compiled)
