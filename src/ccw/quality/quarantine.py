"""Quarantine, not loss: rows failing a critical row rule leave the raw table for ``quality.quarantined_rows``.

Each row is kept whole (as JSON) with the rule, the source file and its checksum, so ``data_quality_daily``
counts it and a person can look at it. A file whose share of quarantined rows (its current version, over
all runs) is above the threshold is *untrusted*: the rest of its rows are set aside too (rule
``file_not_trusted``), so the file counts as refused for its day (``data_completeness_daily``) and the run builds
and publishes everything else, exiting 3 as when landing refuses a file: one bad file never stops the rest.
When the file is re-sent, landing replaces its rows and the old quarantine entries no longer count; when it is
deleted, landing retires them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import duckdb

from ccw.quality.tables import QUARANTINED_ROWS
from ccw.quality.verdicts import UntrustedFile
from ccw.sqltext import literal

#: the rule under which the remaining rows of an untrusted file are set aside
UNTRUSTED_RULE = "file_not_trusted"


def raw_relation(raw_table: str) -> str:
    return f'raw."{raw_table}"'


def set_aside(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    at: datetime,
    raw_table: str,
    failing: list[tuple[str, str, str]],
) -> int:
    """Move the rows returned by each ``(rule, description, failing-rows SQL)`` out of ``raw.<raw_table>``.

    One transaction per table; a row failing several rules is recorded once per rule and deleted once.
    Returns the number of distinct rows taken out.
    """
    relation = raw_relation(raw_table)
    con.begin()
    try:
        for rule, description, failing_sql in failing:
            con.execute(
                f"""
                insert into {QUARANTINED_ROWS}
                select ?, ?, ?, b._source_file, b._file_checksum, b._export_date, b._row_number, ?, ?, to_json(b)
                from {relation} as b
                join (select distinct _source_file, _row_number from ({failing_sql}) as f) as f
                  on f._source_file = b._source_file and f._row_number = b._row_number
                """,
                [run_id, at, raw_table, rule, description],
            )
        moved = con.execute(
            f"""
            delete from {relation} as b
            using (select distinct source_file, row_number from {QUARANTINED_ROWS}
                   where run_id = ? and raw_table = ?) as q
            where q.source_file = b._source_file and q.row_number = b._row_number
            """,
            [run_id, raw_table],
        ).fetchone()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return int(moved[0]) if moved else 0


def untrusted_files(con: duckdb.DuckDBPyConnection, max_bad_share: float) -> list[UntrustedFile]:
    """Files whose current version has more than ``max_bad_share`` of its rows quarantined."""
    rows = con.execute(
        f"""
        with current_files as (
          select file_path, entity, system, landed_checksum, landed_rows
          from raw._landing_files
          where has_rows_in_raw and landed_rows > 0
        ),
        current_quarantine as (
          select q.source_file, q.raw_table, q.rule, q.row_number
          from {QUARANTINED_ROWS} as q
          join current_files as f on f.file_path = q.source_file and f.landed_checksum = q.file_checksum
        ),
        quarantined as (
          select * from current_quarantine
          -- exact copies of a record in its own file (at-least-once delivery) lose nothing: set aside, not a
          -- reason to distrust the file; the rows an earlier run set aside with the whole file are not a finding
          where not ends_with(rule, '_unique_per_version') and rule <> '{UNTRUSTED_RULE}'
        ),
        per_file as (
          select source_file, raw_table, count(distinct row_number) as failing_rows
          from quarantined group by source_file, raw_table
        ),
        per_rule as (
          select source_file, rule, count(distinct row_number) as rule_rows
          from quarantined group by source_file, rule
        ),
        -- files an earlier run already set aside whole (this version of them): nothing of them is left to move
        set_aside_files as (
          select distinct source_file from current_quarantine where rule = '{UNTRUSTED_RULE}'
        )
        select p.source_file, p.raw_table, p.failing_rows, f.landed_rows, r.rule, r.rule_rows,
               s.source_file is not null as is_set_aside
        from per_file as p
        join current_files as f on f.file_path = p.source_file
        join per_rule as r on r.source_file = p.source_file
        left join set_aside_files as s on s.source_file = p.source_file
        where p.failing_rows > ? * f.landed_rows
        order by p.source_file, r.rule
        """,
        [max_bad_share],
    ).fetchall()
    files: dict[str, UntrustedFile] = {}
    for source_file, raw_table, failing_rows, file_rows, rule, rule_rows, is_set_aside in rows:
        entry = files.setdefault(source_file, UntrustedFile(source_file, raw_table, failing_rows, file_rows, {},
                                                            bool(is_set_aside)))
        entry.rules[rule] = rule_rows
    return list(files.values())


def set_aside_untrusted(con: Any, run_id: str, at: datetime, files: list[UntrustedFile], max_bad_share: float,
                        set_aside_rows: Callable[..., int] = set_aside) -> int:
    """The rows an untrusted file still has in its raw table, set aside under UNTRUSTED_RULE with the reason (its
    share of rows failing critical rules): the file then counts as refused for its day. A file an earlier run set
    aside (``is_set_aside``) has nothing left and is skipped. ``set_aside_rows``: DuckDB's ``set_aside`` or Spark's
    (``ccw.quality.on_spark``), on ``con``. Returns the rows moved."""
    moved = 0
    for f in files:
        if f.is_set_aside:
            continue
        reason = f"{f.finding(max_bad_share)}: the file is set aside whole"
        rows = (f"select _source_file, _row_number from {raw_relation(f.raw_table)} "
                f"where _source_file = {literal(f.source_file)}")
        moved += set_aside_rows(con, run_id, at, f.raw_table, [(UNTRUSTED_RULE, reason, rows)])
    return moved
