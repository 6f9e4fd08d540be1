"""The landing tables: every raw entity table, the manifest, the quarantine log, the per-file view.

``ensure_raw_tables`` is idempotent and runs at the start of every landing, so the dbt sources
exist even for an entity no file has arrived for yet. It also migrates a build database an older
landing wrote: a registry column a raw table lacks (the registry gained a field, or ``_extra``) is
added (``ALTER TABLE ... ADD COLUMN``, null in the rows already there), and so is the manifest's
``export_kind``.

Three more tables are landing's own bookkeeping and are **not** dbt sources (no model reads them):
``raw._refused_paths`` lists every path refused by its path alone (a bad name or place, a symbolic
link, a hidden or special file), one row per landing run that saw it; ``raw._landing_manifest_retired``
and ``raw._quarantine_retired`` keep the quarantine records of files that are no longer under the
raw root, moved out of the manifest and the quarantine log so that they stop counting.
"""

from __future__ import annotations

import duckdb

from ccw.exports import ENTITIES, LANDING_COLUMNS, raw_table_ddl
from ccw.sqltext import ident

SCHEMA = "raw"
MANIFEST = f"{SCHEMA}._landing_manifest"
QUARANTINE = f"{SCHEMA}._quarantine"
FILES_VIEW = f"{SCHEMA}._landing_files"
REFUSED_PATHS = f"{SCHEMA}._refused_paths"
MANIFEST_RETIRED = f"{SCHEMA}._landing_manifest_retired"
QUARANTINE_RETIRED = f"{SCHEMA}._quarantine_retired"
_ATTEMPT_SEQUENCE = f"{SCHEMA}._landing_attempt_id"

_MANIFEST_DDL = f"""
create table if not exists {MANIFEST} (
  attempt_id bigint not null default nextval('{_ATTEMPT_SEQUENCE}'),
  run_id varchar not null,
  file_path varchar not null,          -- relative to the raw root, posix
  system varchar,
  entity varchar,
  export_date date,                    -- from the file name
  checksum varchar,                    -- sha256 of the bytes
  bytes bigint,
  rows bigint,                         -- records in the file (landed or unchanged)
  file_modified_at timestamp,          -- the file's mtime, UTC
  landed_at timestamp not null,        -- when this attempt ran, UTC
  outcome varchar not null,            -- landed | replaced | unchanged | quarantined
  reason varchar,                      -- why it was quarantined, or the warnings of a file that landed
  export_kind varchar                  -- daily | history (a landing attempt): the record-time rule's judgement
)
"""

_QUARANTINE_DDL = f"""
create table if not exists {QUARANTINE} (
  file_path varchar not null,
  system varchar,
  entity varchar,
  checksum varchar not null,
  reason varchar not null,
  quarantine_path varchar not null,    -- where the copy of the file is kept
  quarantined_at timestamp not null    -- UTC
)
"""

_REFUSED_PATHS_DDL = f"""
create table if not exists {REFUSED_PATHS} (
  run_id varchar not null,
  file_path varchar not null,          -- relative to the raw root, posix
  kind varchar not null,               -- path (bad name or place) | symlink | hidden | special
  reason varchar not null,
  checksum varchar,                    -- sha256, for a regular file only (a link is never read)
  bytes bigint,
  quarantine_path varchar,             -- the copy set aside, for a regular file only
  refused_at timestamp not null        -- UTC
)
"""

_MANIFEST_RETIRED_DDL = f"""
create table if not exists {MANIFEST_RETIRED} (
  attempt_id bigint not null,
  run_id varchar not null,
  file_path varchar not null,
  system varchar,
  entity varchar,
  export_date date,
  checksum varchar,
  bytes bigint,
  rows bigint,
  file_modified_at timestamp,
  landed_at timestamp not null,
  outcome varchar not null,
  reason varchar,
  retired_at timestamp not null,       -- UTC
  retired_reason varchar not null
)
"""

_QUARANTINE_RETIRED_DDL = f"""
create table if not exists {QUARANTINE_RETIRED} (
  file_path varchar not null,
  system varchar,
  entity varchar,
  checksum varchar not null,
  reason varchar not null,
  quarantine_path varchar not null,
  quarantined_at timestamp not null,
  retired_at timestamp not null,       -- UTC
  retired_reason varchar not null
)
"""

# Current state per file: its latest attempt, and the version whose rows are in the raw table.
FILES_VIEW_DDL = f"""
create or replace view {FILES_VIEW} as
with attempts as (
  select *, row_number() over (partition by file_path order by attempt_id desc) as attempt_rank
  from {MANIFEST}
),
landings as (
  select file_path, checksum, rows, landed_at, export_kind,
         row_number() over (partition by file_path order by attempt_id desc) as landing_rank
  from {MANIFEST}
  where outcome in ('landed', 'replaced')
)
select
  a.file_path,
  a.system,
  a.entity,
  a.export_date,
  a.checksum,
  a.bytes,
  a.file_modified_at,
  a.landed_at as last_attempt_at,
  a.outcome as last_outcome,
  a.reason as last_reason,
  l.checksum as landed_checksum,
  l.rows as landed_rows,
  l.landed_at,
  l.checksum is not null as has_rows_in_raw,
  coalesce(l.checksum = a.checksum, false) as is_current,
  a.outcome = 'quarantined' as is_quarantined,
  coalesce(l.export_kind, 'daily') as export_kind
from attempts as a
left join landings as l
  on l.file_path = a.file_path and l.landing_rank = 1
where a.attempt_rank = 1
"""


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw``, every registered raw table, the manifest, quarantine log and view, and landing's
    own bookkeeping tables (refused paths, retired records)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for entity in ENTITIES:
        con.execute(raw_table_ddl(entity, SCHEMA))
        migrate_raw_table(con, entity.table, {**entity.raw_columns, **LANDING_COLUMNS})
    con.execute(f"create sequence if not exists {_ATTEMPT_SEQUENCE}")
    con.execute(_MANIFEST_DDL)
    con.execute(f"alter table {MANIFEST} add column if not exists export_kind varchar")
    con.execute(_QUARANTINE_DDL)
    con.execute(_REFUSED_PATHS_DDL)
    con.execute(_MANIFEST_RETIRED_DDL)
    con.execute(_QUARANTINE_RETIRED_DDL)
    con.execute(FILES_VIEW_DDL)


def migrate_raw_table(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> list[str]:
    """Add the ``columns`` a raw table lacks (in registry order, at its end); the names added. A STRUCT column the
    registry widened (new fields, e.g. more of Amazon Connect's Agent object) is altered to the registry's type: the
    rows already there keep their values, the new fields are null."""
    present = {
        row[0]: row[1]
        for row in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
            [SCHEMA, table],
        ).fetchall()
    }
    added = [name for name in columns if name not in present]
    for name in added:
        con.execute(f"alter table {SCHEMA}.{ident(table)} add column {ident(name)} {columns[name]}")
    for name, raw_type in columns.items():
        if name in present and raw_type.upper().startswith("STRUCT(") and _spelled(present[name]) != _spelled(raw_type):
            con.execute(f"alter table {SCHEMA}.{ident(table)} alter column {ident(name)} type {raw_type}")
    return added


def _spelled(duckdb_type: str) -> str:
    """A type as the registry and ``information_schema`` both spell it, once quotes and spaces are gone."""
    return duckdb_type.replace('"', "").replace(" ", "").upper()
