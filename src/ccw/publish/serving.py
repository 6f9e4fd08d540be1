"""Copy the marts of the build database into a new DuckDB file in an old storage version.

The file gets the same ``marts`` schema as the build database (views materialised as tables) and a ``_publish``
table in ``main``: one row per published table with the version id, the publish time and its row count, so a reader
can check that what it sees is one complete version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ccw.sqltext import ident, literal

#: the storage version of the serving file; DuckDB releases since this one read it
STORAGE_VERSION = "v1.0.0"
#: the oldest DuckDB release the tests open the serving file with
OLDEST_DUCKDB = "1.0.0"
MART_SCHEMA = "marts"
PUBLISH_TABLE = "_publish"
SERVING_ALIAS = "serving_new"


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


def write_serving_copy(
    con: duckdb.DuckDBPyConnection,
    build_catalog: str,
    target: Path,
    marts: list[Relation],
    version_id: str,
    published_at: str,
) -> dict[str, int]:
    """Create ``target`` with every mart as a table plus ``_publish``; returns the row count per table.

    The file is checkpointed and detached (no WAL left) when this returns; the caller fsyncs and renames it."""
    con.execute(f"attach {literal(target)} as {SERVING_ALIAS} (storage_version '{STORAGE_VERSION}')")
    try:
        con.execute(f"create schema {SERVING_ALIAS}.{MART_SCHEMA}")
        counts: dict[str, int] = {}
        for rel in marts:
            con.execute(
                f'create table {SERVING_ALIAS}.{MART_SCHEMA}."{rel.name}" as '
                f'select * from {ident(build_catalog)}.{MART_SCHEMA}."{rel.name}"'
            )
            counts[rel.name] = con.execute(
                f'select count(*) from {SERVING_ALIAS}.{MART_SCHEMA}."{rel.name}"'
            ).fetchone()[0]
        con.execute(
            f"create table {SERVING_ALIAS}.main.{PUBLISH_TABLE} (version_id varchar not null, "
            "published_at timestamp not null, table_schema varchar not null, table_name varchar not null, "
            "source_type varchar not null, row_count bigint not null, storage_version varchar not null)"
        )
        kinds = {rel.name: rel.kind for rel in marts}
        con.executemany(
            f"insert into {SERVING_ALIAS}.main.{PUBLISH_TABLE} values (?, ?::timestamp, ?, ?, ?, ?, ?)",
            [
                [version_id, published_at, MART_SCHEMA, name, kinds[name], rows, STORAGE_VERSION]
                for name, rows in counts.items()
            ],
        )
        con.execute(f"checkpoint {SERVING_ALIAS}")
    finally:
        con.execute(f"detach {SERVING_ALIAS}")
    return counts
