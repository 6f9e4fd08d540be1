"""The landing tables: every raw entity table, the manifest, the quarantine log, the per-file view.

``ensure_raw_tables`` is idempotent and runs at the start of every landing, so the dbt sources
exist even for an entity no file has arrived for yet.
"""

from __future__ import annotations

import duckdb

from ccw.exports import ENTITIES, raw_table_ddl

SCHEMA = "raw"
MANIFEST = f"{SCHEMA}._landing_manifest"
QUARANTINE = f"{SCHEMA}._quarantine"
FILES_VIEW = f"{SCHEMA}._landing_files"
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
  reason varchar
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

# Current state per file: its latest attempt, and the version whose rows are in the raw table.
_FILES_VIEW_DDL = f"""
create or replace view {FILES_VIEW} as
with attempts as (
  select *, row_number() over (partition by file_path order by attempt_id desc) as attempt_rank
  from {MANIFEST}
),
landings as (
  select file_path, checksum, rows, landed_at,
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
  a.outcome = 'quarantined' as is_quarantined
from attempts as a
left join landings as l
  on l.file_path = a.file_path and l.landing_rank = 1
where a.attempt_rank = 1
"""


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw``, every registered raw table, the manifest, quarantine log and view."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for entity in ENTITIES:
        con.execute(raw_table_ddl(entity, SCHEMA))
    con.execute(f"create sequence if not exists {_ATTEMPT_SEQUENCE}")
    con.execute(_MANIFEST_DDL)
    con.execute(_QUARANTINE_DDL)
    con.execute(_FILES_VIEW_DDL)
