"""Copy the marts of the build database into a new DuckDB file in an old storage version (or bring a copy of the
previous one up to date: ccw.publish.changes).

The file gets the same ``marts`` schema as the build database (views materialised as tables) and a ``_publish``
table in ``main``: one row per published table with the version id, the publish time and its row count, so a reader
can check that what it sees is one complete version.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ccw.publish.changes import TableChange, rewrite, table_columns, update_table
from ccw.sqltext import ident, literal

#: the storage version of the serving file; DuckDB releases since this one read it
STORAGE_VERSION = "v1.0.0"
#: the oldest DuckDB release the tests open the serving file with
OLDEST_DUCKDB = "1.0.0"
MART_SCHEMA = "marts"
PUBLISH_TABLE = "_publish"
SERVING_ALIAS = "serving_new"
#: how many publishes in a row start from the previous file (ccw.publish.changes) before one writes every mart again:
#: a merge leaves its deleted rows in their row groups (a synthetic mart merged on 11 publishes in a row: 64 MB
#: against 53 MB written fresh), so about once a month of daily runs the file is written compact
MAX_PUBLISHES_FROM_PREVIOUS = 30
#: one row: how many publishes since the file was last written in full
LINEAGE_TABLE = "_publish_lineage"


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # "BASE TABLE" or "VIEW"


def list_marts(con: duckdb.DuckDBPyConnection, catalog: str) -> list[Relation]:
    """Tables and views of the marts schema, dbt's temporary relations left out."""
    rows = con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, MART_SCHEMA],
    ).fetchall()
    return [Relation(name, kind) for name, kind in rows if not name.endswith(("__dbt_tmp", "__dbt_backup"))]


def _publishes_since_full(con: duckdb.DuckDBPyConnection, catalog: str) -> int:
    """How many publishes started from the previous file since the file ``catalog`` was written in full (0 for a
    file without the lineage table: written in full by an earlier release)."""
    found = con.execute("select count(*) from information_schema.tables where table_catalog = ? and "
                        "table_schema = 'main' and table_name = ?", [catalog, LINEAGE_TABLE]).fetchone()[0]
    if not found:
        return 0
    return int(con.execute(f"select max(publishes_since_full) from {ident(catalog)}.main.{LINEAGE_TABLE}")
               .fetchone()[0] or 0)


def base_file(serving: Path) -> Path | None:
    """``serving`` when a publish can start from a copy of it (ccw.publish.changes): a readable file whose every
    ``_publish`` row names this storage version, and fewer than MAX_PUBLISHES_FROM_PREVIOUS publishes since it was
    last written in full; None otherwise (no file yet, one another version wrote, time to write it compact)."""
    if not serving.is_file():
        return None
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            versions = con.execute(f"select distinct storage_version from main.{PUBLISH_TABLE}").fetchall()
            catalog = con.execute("select current_database()").fetchone()[0]
            publishes = _publishes_since_full(con, catalog)
    except duckdb.Error:
        return None
    usable = versions == [(STORAGE_VERSION,)] and publishes < MAX_PUBLISHES_FROM_PREVIOUS
    return serving if usable else None


def _clear_all_but_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Drop from the attached copy what a publish writes anew (``_publish``, the saved-query exports, the semantic
    manifest: every schema but the marts, every table of ``main``); returns the names of the marts it holds."""
    for (schema,) in con.execute(
        "select schema_name from information_schema.schemata where catalog_name = ? and schema_name not in (?, ?)",
        [SERVING_ALIAS, MART_SCHEMA, "main"],
    ).fetchall():
        con.execute(f"drop schema {SERVING_ALIAS}.{ident(schema)} cascade")
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ?", [SERVING_ALIAS]
    ).fetchall()
    for schema, table in tables:
        if schema == "main":
            con.execute(f"drop table {SERVING_ALIAS}.main.{ident(table)}")
    return {table for schema, table in tables if schema == MART_SCHEMA}


def write_serving_copy(
    con: duckdb.DuckDBPyConnection,
    build_catalog: str,
    target: Path,
    marts: list[Relation],
    version_id: str,
    published_at: str,
    base: Path | None = None,
) -> list[TableChange]:
    """Create ``target`` with every mart as a table plus ``_publish``; returns what became of each mart.

    Without ``base`` every mart is written. With ``base`` (the previous serving file, see :func:`base_file`) the
    file starts as a byte copy of it and only the marts that changed are written (ccw.publish.changes).
    The file is checkpointed and detached (no WAL left) when this returns; the caller fsyncs and renames it."""
    if base is not None:
        shutil.copyfile(base, target)
        con.execute(f"attach {literal(target)} as {SERVING_ALIAS}")
    else:
        con.execute(f"attach {literal(target)} as {SERVING_ALIAS} (storage_version '{STORAGE_VERSION}')")
    try:
        publishes = _publishes_since_full(con, SERVING_ALIAS) + 1 if base is not None else 0
        held = _clear_all_but_marts(con) if base is not None else set()
        con.execute(f"create schema if not exists {SERVING_ALIAS}.{MART_SCHEMA}")
        changes = []
        for rel in marts:
            built = f"{ident(build_catalog)}.{MART_SCHEMA}.{ident(rel.name)}"
            served = f"{SERVING_ALIAS}.{MART_SCHEMA}.{ident(rel.name)}"
            if rel.name in held:
                same_columns = (table_columns(con, build_catalog, MART_SCHEMA, rel.name)
                                == table_columns(con, SERVING_ALIAS, MART_SCHEMA, rel.name))
                changes.append(update_table(con, rel.name, built, served, SERVING_ALIAS, same_columns,
                                            rel.kind == "BASE TABLE"))
            else:
                changes.append(rewrite(con, rel.name, built, served))
        for name in sorted(held - {rel.name for rel in marts}):
            con.execute(f"drop table {SERVING_ALIAS}.{MART_SCHEMA}.{ident(name)}")
        con.execute(
            f"create table {SERVING_ALIAS}.main.{PUBLISH_TABLE} (version_id varchar not null, "
            "published_at timestamp not null, table_schema varchar not null, table_name varchar not null, "
            "source_type varchar not null, row_count bigint not null, storage_version varchar not null)"
        )
        kinds = {rel.name: rel.kind for rel in marts}
        con.executemany(
            f"insert into {SERVING_ALIAS}.main.{PUBLISH_TABLE} values (?, ?::timestamp, ?, ?, ?, ?, ?)",
            [
                [version_id, published_at, MART_SCHEMA, change.name, kinds[change.name], change.rows, STORAGE_VERSION]
                for change in changes
            ],
        )
        con.execute(f"create table {SERVING_ALIAS}.main.{LINEAGE_TABLE} as select ? as publishes_since_full",
                    [publishes])
        con.execute(f"checkpoint {SERVING_ALIAS}")
    finally:
        con.execute(f"detach {SERVING_ALIAS}")
    return changes
