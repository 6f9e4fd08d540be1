"""A DuckDB SQLAlchemy dialect whose query results survive the connection closing, so GX computes in DuckDB.

GX 1.x has no DuckDB data source; through duckdb-engine its SQL execution engine runs every query in
``with engine.connect() as connection: result = connection.execute(query)`` and reads ``result`` after the
block. Closing the SQLAlchemy connection rolls its transaction back on the one DuckDB connection, and DuckDB
drops the pending result set: every metric comes back empty (``IndexError`` in GX, ``[]`` in plain SQLAlchemy).

The fix is one dialect, registered as ``duckdb+ccw_buffered``: after each statement it fetches the rows
into SQLAlchemy's fully buffered result (the strategy SQLAlchemy itself uses when "a result is to be delivered
after the database conversation can not be continued"). GX's queries are aggregates, so the buffers are small.
SQLAlchemy 2.1's PostgreSQL reflection queries (REGCLASS casts, pg_catalog joins) no longer run on DuckDB,
so GX could not read column names and types: the dialect answers ``get_columns`` from
``information_schema.columns`` instead. It also connects with DuckDB's default configuration, so it can share
a database instance that dbt-duckdb opened earlier in the same process (DuckDB refuses a second configuration
for an open file), and ``close_connections`` closes what GX's pools keep open.
``tests/python/test_quality_engine.py`` fails when duckdb-engine or GX change this behaviour.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa
from duckdb_engine import ConnectionWrapper
from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy.dialects import registry
from sqlalchemy.engine import cursor as sa_cursor
from sqlalchemy.engine.default import DefaultExecutionContext

#: Every DuckDB connection this dialect opened and has not closed yet (see ``close_connections``).
_OPEN: weakref.WeakSet[ConnectionWrapper] = weakref.WeakSet()

DRIVER = "ccw_buffered"
SCHEME = f"duckdb+{DRIVER}"


class BufferedExecutionContext(DefaultExecutionContext):
    """Fetch every row right after execution, while the DuckDB connection still holds them."""

    def post_exec(self) -> None:
        super().post_exec()
        description = self.cursor.description
        # the plain strategy (exactly CursorFetchStrategy: not one that already buffers or streams server-side)
        if description is not None and type(self.cursor_fetch_strategy) is sa_cursor.CursorFetchStrategy:
            self.cursor_fetch_strategy = sa_cursor.FullyBufferedCursorFetchStrategy(
                self.cursor, description, self.cursor.fetchall()
            )


class BufferedDuckDBDialect(DuckDBDialect):
    """duckdb-engine with buffered results and a plain ``duckdb.connect`` (no extra configuration)."""

    driver = DRIVER
    execution_ctx_cls = BufferedExecutionContext
    supports_statement_cache = False  # as duckdb-engine's; said again so SQLAlchemy does not warn per dialect

    def connect(self, *cargs: Any, **cparams: Any) -> ConnectionWrapper:
        """``duckdb:///<file>[?read_only=true]``: any other URL option is refused, not silently dropped."""
        options = dict(cparams.get("url_config") or {})
        read_only = str(options.pop("read_only", "false")).lower() == "true"
        if options:
            raise ValueError(f"{SCHEME} takes no options but read_only; got {sorted(options)}")
        con = duckdb.connect(cparams.get("database") or ":memory:", read_only=read_only)
        con.execute("set TimeZone = 'UTC'")
        wrapper = ConnectionWrapper(con)
        _OPEN.add(wrapper)
        return wrapper

    def get_columns(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict]:
        rows = connection.execute(
            sa.text(
                "select column_name, data_type, is_nullable = 'YES' from information_schema.columns "
                "where table_schema = :schema and table_name = :table order by ordinal_position"
            ),
            {"schema": schema or "main", "table": table_name},
        ).fetchall()
        if not rows:
            raise sa.exc.NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return [
            {"name": name, "type": sqlalchemy_type(data_type), "nullable": bool(nullable), "default": None}
            for name, data_type, nullable in rows
        ]

    def get_pk_constraint(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> dict:
        """No primary keys in the warehouse's tables (GX only asks to label columns)."""
        return {"constrained_columns": [], "name": None}


#: DuckDB type name (before any "(") -> SQLAlchemy type; GX's type expectations compare with isinstance.
_TYPES: dict[str, Any] = {
    "VARCHAR": sa.VARCHAR,
    "BIGINT": sa.BIGINT,
    "INTEGER": sa.INTEGER,
    "SMALLINT": sa.SMALLINT,
    "HUGEINT": sa.NUMERIC,
    "DOUBLE": sa.DOUBLE,
    "FLOAT": sa.FLOAT,
    "BOOLEAN": sa.BOOLEAN,
    "DATE": sa.DATE,
    "TIME": sa.TIME,
    "TIMESTAMP": sa.TIMESTAMP,
    "TIMESTAMP WITH TIME ZONE": lambda: sa.TIMESTAMP(timezone=True),
    "DECIMAL": sa.DECIMAL,
    "INTERVAL": sa.Interval,
}


def sqlalchemy_type(duckdb_type: str) -> Any:
    """The SQLAlchemy type instance for a DuckDB ``data_type`` text (NullType for nested or unknown types)."""
    base, _, args = duckdb_type.partition("(")
    factory = _TYPES.get(base.strip().upper())
    if factory is None:
        return sa.types.NullType()
    if factory is sa.DECIMAL and args:
        precision, _, scale = args.rstrip(")").partition(",")
        return sa.DECIMAL(int(precision), int(scale or 0))
    return factory()


def close_connections() -> int:
    """Close every connection still open (GX keeps its engines' pools alive): a DuckDB file stays open in
    the process as long as one connection to it lives, and dbt-duckdb cannot then open it with its own
    configuration. Returns how many were closed."""
    closed = 0
    for wrapper in list(_OPEN):
        if not wrapper.closed:
            wrapper.close()
            closed += 1
    _OPEN.clear()
    return closed


def register() -> None:
    """Make ``duckdb+ccw_buffered://`` URLs resolve to this dialect (idempotent)."""
    registry.register(SCHEME.replace("+", "."), __name__, "BufferedDuckDBDialect")


def connection_string(database: Path) -> str:
    return f"{SCHEME}:///{Path(database).resolve()}"


register()
