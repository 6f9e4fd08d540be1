"""Read-write connections to the DuckDB files: landing's (one per landing run, as the file's only writer) and the
quality gates'."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ccw.land.errors import WarehouseLockedError


def connect_writer(path: Path, what: str = "warehouse", advice: str = "") -> duckdb.DuckDBPyConnection:
    """A read-write connection to ``path`` in UTC, in DuckDB's default configuration (so that it shares the
    instance another user in this process opened, e.g. dbt); ``WarehouseLockedError`` naming the file (``what``)
    and ``advice`` when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(
                f"The {what} {path} is locked by another process; DuckDB allows one writer at a time. "
                f"{advice}DuckDB said: {exc}"
            ) from exc
        raise
    con.execute("set TimeZone = 'UTC'")
    return con


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Landing's connection (``connect_writer``), keeping rows in file order."""
    con = connect_writer(warehouse, advice="Wait for it to finish (or close it) and land again. ")
    con.execute("set preserve_insertion_order = true")  # _row_number relies on file order
    return con
