"""Bring a copy of the previous serving file up to the build's marts, writing only what changed (issue 16, item 4).

A publish used to encode every mart into a new file: at 1/5 of the scale preset 47 s for 54 M rows, although a
daily build changes a few days of the facts and one month of the churn risk mart. When the previous serving file
can be the base (``ccw.publish.serving``: written in this storage version by a publish), the new file starts as a
byte copy of it and each mart is compared with the build's:

- same columns, same fingerprint (row count and the sum of the rows' hashes: order-independent): **kept** as it is,
  and its Parquet file is linked from the previous version instead of written again;
- same columns, other rows: **merged** by row. The row hashes whose number of rows differs between the two sides
  are the change; the copy's rows with those hashes are deleted and the build's inserted, so the copy holds the
  build's rows exactly, duplicates included. When those rows are more than ``MERGE_MAX_SHARE`` of the table, it is
  **rewritten** instead (a delete of most rows costs more than a copy);
- other columns (a changed model), or not in the copy: **rewritten** (create table as select); a table the build no
  longer has is dropped by the caller.

Equal content means equal values: rows are compared by DuckDB's 64-bit hash of the whole row (a changed row whose
hash collides with its old one would be missed: as likely as a collision of two 64-bit hashes).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

#: a mart whose changed rows (deleted + inserted) exceed this share of its rows is rewritten, not merged
MERGE_MAX_SHARE = 0.25
#: the temporary table of a merge's changed row hashes (in the connection's in-memory catalog)
CHANGED = "_publish_changed_rows"

KEPT, MERGED, REWRITTEN = "kept", "merged", "rewritten"


@dataclass(frozen=True)
class TableChange:
    name: str
    action: str  # KEPT, MERGED or REWRITTEN
    rows: int
    written_rows: int  # rows deleted + inserted (merged), the table's rows (rewritten), 0 (kept)


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's or view's columns, in their order."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [(name, data_type) for name, data_type in rows]


def fingerprint(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(rows, sum of the rows' hashes) of ``relation``: equal for two relations holding the same rows in any order."""
    rows, total = con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {relation} as t").fetchone()
    return int(rows), int(total)


def rewrite(con: duckdb.DuckDBPyConnection, name: str, built: str, served: str) -> TableChange:
    """Write the copy's table ``served`` anew from ``built`` (replacing what it held)."""
    con.execute(f"create or replace table {served} as select * from {built}")
    (rows,) = con.execute(f"select count(*) from {served}").fetchone()
    return TableChange(name, REWRITTEN, int(rows), int(rows))


def update_table(con: duckdb.DuckDBPyConnection, name: str, built: str, served: str, same_columns: bool) -> TableChange:
    """Make the copy's table ``served`` hold the rows of the build's relation ``built`` (both qualified names)."""
    if not same_columns:
        return rewrite(con, name, built, served)
    rows, built_print = fingerprint(con, built)
    served_rows, served_print = fingerprint(con, served)
    if (rows, built_print) == (served_rows, served_print):
        return TableChange(name, KEPT, rows, 0)
    con.execute(
        f"create or replace temp table {CHANGED} as "
        f"with built as (select hash(t) as row_hash, count(*) as copies from {built} as t group by all), "
        f"served as (select hash(t) as row_hash, count(*) as copies from {served} as t group by all) "
        "select coalesce(built.row_hash, served.row_hash) as row_hash, "
        "coalesce(built.copies, 0) + coalesce(served.copies, 0) as written_rows "
        "from built full outer join served on built.row_hash = served.row_hash "
        "where built.copies is distinct from served.copies"
    )
    try:
        (written,) = con.execute(f"select coalesce(sum(written_rows), 0) from {CHANGED}").fetchone()
        if written > MERGE_MAX_SHARE * max(rows, served_rows):
            return rewrite(con, name, built, served)
        changed = f"hash(t) in (select row_hash from {CHANGED})"
        con.execute(f"delete from {served} as t where {changed}")
        con.execute(f"insert into {served} select * from {built} as t where {changed}")
    finally:
        con.execute(f"drop table if exists {CHANGED}")
    return TableChange(name, MERGED, rows, int(written))
