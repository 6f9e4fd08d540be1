"""Open the warehouse once per landing run, as its only writer."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ccw.land.errors import WarehouseLockedError


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection in UTC; a clear error if another process holds the file."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(
                f"The warehouse {warehouse} is locked by another process; DuckDB allows one writer at a time. "
                f"Wait for it to finish (or close it) and land again. DuckDB said: {exc}"
            ) from exc
        raise
    con.execute("set TimeZone = 'UTC'")
    con.execute("set preserve_insertion_order = true")  # _row_number relies on file order
    return con
