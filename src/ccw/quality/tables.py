"""The gates' own objects in the build database (schema ``quality``): results, quarantined rows, SQL macros.

``quality.gate_results``    one row per gate result per run (raw and mart gates), for the report;
``quality.quarantined_rows`` rows taken out of a raw table because they failed a critical row rule, with
                            the rule, the source file (and its checksum) and the whole row as JSON;
                            ``data_quality_daily`` counts them;
``quality.raw_gate_state``  per raw table, the landing attempts the raw gates have judged (written when a raw
                            gate run passes; ``ccw.quality.batches`` says how a run uses it).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ccw.quality.sql import SCHEMA, macro_ddl

GATE_RESULTS = f"{SCHEMA}.gate_results"
QUARANTINED_ROWS = f"{SCHEMA}.quarantined_rows"
RAW_GATE_STATE = f"{SCHEMA}.raw_gate_state"

_DDL = (
    f"create schema if not exists {SCHEMA}",
    f"""
    create table if not exists {GATE_RESULTS} (
      run_id varchar not null,
      stage varchar not null,              -- raw | mart
      checked_at timestamp not null,       -- UTC
      suite varchar not null,
      asset varchar not null,              -- relation, e.g. raw.telephony__contact_records
      expectation varchar not null,        -- the rule name
      severity varchar not null,           -- critical | warning
      success boolean not null,
      observed varchar,
      message varchar not null
    )
    """,
    f"""
    create table if not exists {QUARANTINED_ROWS} (
      run_id varchar not null,
      quarantined_at timestamp not null,   -- UTC
      raw_table varchar not null,          -- <system>__<entity>
      source_file varchar not null,        -- relative to the raw root
      file_checksum varchar,
      export_date date,
      row_number bigint not null,          -- 1-based position in the file
      rule varchar not null,               -- the critical rule the row failed
      rule_description varchar,
      row_data json                        -- the raw row as it landed
    )
    """,
    f"""
    create table if not exists {RAW_GATE_STATE} (
      raw_table varchar not null,          -- <system>__<entity>
      judged_through_attempt bigint not null,  -- every landing attempt (raw._landing_manifest) up to this id judged
      suite_checksum varchar not null,     -- sha256 of the suite file the table was judged with
      run_id varchar not null,             -- the raw gate run that passed
      judged_at timestamp not null         -- UTC
    )
    """,
)


def open_build_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection in UTC (default configuration, so it shares an instance dbt opened)."""
    from ccw.land.connection import connect_writer

    return connect_writer(path, "build database")


def ensure_quality_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Schema, tables and macros of the gates (idempotent)."""
    for statement in (*_DDL, *macro_ddl()):
        con.execute(statement)
