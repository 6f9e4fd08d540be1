"""Tables a loader already wrote into a DuckDB file (Fivetran, Airbyte, dlt): exported as export files, then landed.

A centre whose help desk (or any source) is synced by a loader has no export files: it has a schema of tables, e.g.
Fivetran's ``zendesk.ticket``, ``zendesk.user`` ... in a DuckDB or MotherDuck destination. ``CCW_LOADER_SOURCES``
names them, ``<system>=<database file>[:<schema>]`` separated by ``;`` (schema default ``main``)::

    CCW_LOADER_SOURCES="helpdesk=/srv/fivetran/warehouse.duckdb:zendesk"

At the start of every landing each source is attached **read-only** and each registered entity of the system found
there (a table named as the entity, ``ticket``, or as its plural, ``tickets``, as Airbyte and dlt name streams) is
written to ``<raw root>/<system>/<entity>/<today UTC>.<ext>`` in the entity's own format (CSV, JSON lines or
Parquet), which landing then takes like any export file: the same column registry (unknown columns kept in
``_extra``), manifest, quarantine and gates. The files are the audit trail: removing the loader leaves them.

Only what changed is written: the rows whose loader sync time is after the last import of an earlier day
(``_fivetran_synced``, ``_airbyte_extracted_at``, ``_airbyte_emitted_at`` or dlt's ``_dlt_load_id``); a table
without one is written whole when its content changed. A second import on the same day rewrites that day's file
(a re-sent file). Every imported file lands as a history dump: its records may be of any date (a loader re-syncs
old records), so the gates judge them only against the future. The state is ``raw._loader_imports`` in the build
database; without it (a new build database) the first import writes every row again, and staging keeps the newest
version of each record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ccw.exports import ENTITIES, Entity
from ccw.sqltext import ident, literal

STATE = "raw._loader_imports"
_STATE_DDL = f"""
create table if not exists {STATE} (
  system varchar not null,
  entity varchar not null,
  source varchar not null,             -- <database>:<schema>.<table>
  import_day date not null,            -- the export day of the file written
  file_path varchar,                   -- relative to the raw root; null when nothing was written
  after_watermark varchar,             -- rows synced after this (null: from the start)
  watermark varchar,                   -- the newest sync time written (tables with a sync column)
  content_hash varchar,                -- the table's content (tables without one)
  rows bigint not null,
  imported_at timestamp not null
)
"""
#: loader sync columns, in order of preference, and how each reads as a UTC timestamp
SYNC_COLUMNS = {
    "_fivetran_synced": "cast({c} as timestamp)",
    "_airbyte_extracted_at": "cast({c} as timestamp)",
    "_airbyte_emitted_at": "cast({c} as timestamp)",
    "_dlt_load_id": "cast(to_timestamp(try_cast({c} as double)) as timestamp)",
}
_ALIAS = "ccw_loader"


@dataclass(frozen=True)
class LoaderSource:
    system: str
    database: Path
    schema: str = "main"

    @property
    def label(self) -> str:
        return f"{self.database}:{self.schema}"


@dataclass(frozen=True)
class Imported:
    """One entity of one loader source at one import: the file written (None: nothing new) or why not."""

    source: LoaderSource
    entity: str
    table: str | None
    file_path: str | None
    rows: int
    problem: str | None = None

    def render(self) -> str:
        where = f"{self.source.label}.{self.table}" if self.table else self.source.label
        if self.problem:
            return f"  LOADER WARNING {where}: {self.problem}"
        if self.file_path is None:
            return f"  LOADER {where}: nothing new"
        return f"  LOADER {where}: {self.rows:,} row(s) -> {self.file_path}"


def parse_sources(text: str | None) -> list[LoaderSource]:
    """``helpdesk=/a.duckdb:zendesk;telephony=/b.duckdb`` -> sources; a clear ValueError naming a bad entry."""
    sources = []
    for entry in (text or "").split(";"):
        if not entry.strip():
            continue
        system, eq, target = entry.partition("=")
        if not eq or not system.strip() or not target.strip():
            raise ValueError(f"CCW_LOADER_SOURCES: {entry.strip()!r} is not <system>=<database file>[:<schema>]")
        database, sep, schema = target.strip().rpartition(":")
        if not sep or not database or "/" in schema or "\\" in schema:  # no schema given
            database, schema = target.strip(), ""
        known = sorted({e.system for e in ENTITIES})
        if system.strip() not in known:
            raise ValueError(f"CCW_LOADER_SOURCES: unknown system {system.strip()!r} (one of {', '.join(known)})")
        sources.append(LoaderSource(system.strip(), Path(database), schema.strip() or "main"))
    return sources


def configured_sources() -> list[LoaderSource]:
    return parse_sources(os.environ.get("CCW_LOADER_SOURCES"))


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str]:
    """lower-case name -> name of the attached schema's tables and views."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
        [_ALIAS, schema],
    ).fetchall()
    return {r[0].lower(): r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [_ALIAS, schema, table],
    ).fetchall()
    return {name: data_type.upper() for name, data_type in rows}


def _select_list(columns: dict[str, str], file_format: str) -> str:
    """The table's columns as the export file writes them: timestamps as UTC wall time, nested values as JSON text in
    a CSV (JSON lines and Parquet keep them nested)."""
    parts = []
    for name, data_type in columns.items():
        column = ident(name)
        if "WITH TIME ZONE" in data_type:
            column = f"cast({column} as timestamp)"  # the connection is in UTC
        elif file_format == "csv" and (data_type.startswith(("STRUCT", "MAP", "UNION")) or data_type.endswith("]")):
            column = f"cast(to_json({column}) as varchar)"
        parts.append(f"{column} as {ident(name)}")
    return ", ".join(parts)


def _copy_options(entity: Entity) -> str:
    return {"csv": "(format csv, header true)", "jsonl": "(format json)", "parquet": "(format parquet)"}[
        entity.file_format]


def _last_state(con: duckdb.DuckDBPyConnection, source: LoaderSource, entity: Entity, today: date):
    """(watermark of the last import of an earlier day, content hash of the last import)."""
    before = con.execute(
        f"select watermark from {STATE} where system = ? and entity = ? and import_day < ? and watermark is not null "
        "order by import_day desc, imported_at desc limit 1", [source.system, entity.name, today]).fetchone()
    last_hash = con.execute(
        f"select content_hash from {STATE} where system = ? and entity = ? order by imported_at desc limit 1",
        [source.system, entity.name]).fetchone()
    return (before[0] if before else None), (last_hash[0] if last_hash else None)


def _import_entity(con: duckdb.DuckDBPyConnection, source: LoaderSource, entity: Entity, table: str,
                   raw_root: Path, today: date) -> Imported:
    columns = _columns(con, source.schema, table)
    relation = f"{_ALIAS}.{ident(source.schema)}.{ident(table)}"
    sync = next((c for c in SYNC_COLUMNS if c in columns), None)
    after, last_hash = _last_state(con, source, entity, today)
    content_hash = watermark = None
    where = "true"
    if sync is not None:
        synced = SYNC_COLUMNS[sync].format(c=ident(sync))
        if after is not None:
            where = f"{synced} > cast({literal(after)} as timestamp)"
        newest = con.execute(f"select cast(max({synced}) as varchar) from {relation} where {where}").fetchone()
        watermark = newest[0] if newest and newest[0] is not None else None
    else:
        content_hash = str(con.execute(f"select count(*) || ':' || coalesce(sum(hash(t)), 0) from {relation} t")
                           .fetchone()[0])
        if content_hash == last_hash:
            where = "false"
    rows, relative = 0, None
    if where != "false":  # one pass: COPY writes the rows and returns their count; an empty result leaves no file
        relative = f"{source.system}/{entity.name}/{today.isoformat()}.{entity.extension}"
        target = raw_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")  # hidden: a scan never takes it
        written = con.execute(f"copy (select {_select_list(columns, entity.file_format)} from {relation} "
                              f"where {where}) to {literal(str(partial))} {_copy_options(entity)}").fetchone()
        rows = int(written[0]) if written else 0
        if rows:
            partial.replace(target)
        else:
            partial.unlink(missing_ok=True)
            relative = None
    if not rows and after is not None:
        watermark = after  # nothing new: the state keeps the earlier watermark
    con.execute(f"insert into {STATE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        source.system, entity.name, f"{source.label}.{table}", today, relative, after, watermark, content_hash, rows,
        datetime.now(UTC).replace(tzinfo=None)])
    return Imported(source, entity.name, table, relative, rows)


def import_loader_tables(con: duckdb.DuckDBPyConnection, sources: list[LoaderSource], raw_root: Path,
                         today: date | None = None) -> list[Imported]:
    """Write each source's new rows as export files under ``raw_root`` (see the module's description); ``con`` is the
    landing's connection to the build database. A source that cannot be read is reported, never a stop."""
    today = today or datetime.now(UTC).date()
    con.execute(_STATE_DDL)
    out: list[Imported] = []
    for source in sources:
        entities = [e for e in ENTITIES if e.system == source.system]
        try:
            con.execute(f"attach {literal(str(source.database))} as {_ALIAS} (read_only)")
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            out.append(Imported(source, "*", None, None, 0, f"cannot be read, nothing imported: {first}"))
            continue
        try:
            tables = _tables(con, source.schema)
            if not tables:
                out.append(Imported(source, "*", None, None, 0, f"schema {source.schema!r} has no table"))
            for entity in entities:
                table = tables.get(entity.name.lower()) or tables.get(entity.name.lower() + "s")
                if table is None:
                    continue
                try:
                    out.append(_import_entity(con, source, entity, table, raw_root, today))
                except (duckdb.Error, OSError) as exc:
                    first = str(exc).splitlines()[0]
                    out.append(Imported(source, entity.name, table, None, 0, f"not imported: {first}"))
        finally:
            con.execute(f"detach {_ALIAS}")
    return out
