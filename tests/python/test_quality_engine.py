"""GX computes its metrics in DuckDB only through ccw.quality.engine; these tests fail when an upgrade of GX,
duckdb-engine or SQLAlchemy changes that (in either direction: the fix breaks, or is no longer needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations as gx
import pytest
import sqlalchemy as sa

from ccw.quality import engine

#: GX 1.24 deprecates schema_name on table assets but its generic SQL data source has no other way to name one.
pytestmark = pytest.mark.filterwarnings("ignore:`schema_name` is deprecated:DeprecationWarning")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """raw.t: 100 rows, ids 0..99, v null on every 10th row (10 nulls), a DECIMAL and a STRUCT column.

    One file per test: a DuckDB file stays open in the process while any connection to it lives."""
    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create schema raw; create table raw.t as select range as id, "
        "case when range % 10 = 0 then null else 'x' end as v, cast(range as decimal(12, 2)) as amount, "
        "{'a': range} as nested from range(100)"
    )
    con.close()
    return path


def _gx_batch(connection_string: str):
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql("warehouse", connection_string=connection_string)
    asset = source.add_table_asset("t", table_name="t", schema_name="raw")
    return asset.add_batch_definition_whole_table("all").get_batch()


def test_plain_duckdb_engine_still_loses_rows_after_the_connection_closes(database: Path) -> None:
    """Why the dialect exists. If this fails, duckdb-engine/SQLAlchemy keep rows now: the dialect may go."""
    plain = sa.create_engine(f"duckdb:///{database}")
    with plain.connect() as connection:
        result = connection.execute(sa.text("select count(*) from raw.t"))
    assert result.fetchall() == []
    plain.dispose()


def test_gx_with_plain_duckdb_engine_still_cannot_compute_a_metric(database: Path) -> None:
    """If this fails, GX reads results while its connection is open now: the dialect may go."""
    batch = _gx_batch(f"duckdb:///{database}")
    result = batch.validate(gx.expectations.ExpectTableRowCountToBeBetween(min_value=1))
    assert not result.success
    assert result.exception_info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in result.exception_info.values()
    )


def test_buffered_dialect_keeps_rows_after_the_connection_closes(database: Path) -> None:
    buffered = sa.create_engine(engine.connection_string(database))
    with buffered.connect() as connection:
        result = connection.execute(sa.text("select count(*), count(v) from raw.t"))
    assert result.fetchall() == [(100, 90)]
    buffered.dispose()


def test_gx_computes_metrics_in_duckdb_through_the_dialect(database: Path) -> None:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        batch = _gx_batch(engine.connection_string(database))
        nulls = batch.validate(gx.expectations.ExpectColumnValuesToNotBeNull(column="v"))
        rows = batch.validate(gx.expectations.ExpectTableRowCountToBeBetween(min_value=100, max_value=100))
        typed = batch.validate(gx.expectations.ExpectColumnValuesToBeOfType(column="amount", type_="DECIMAL"))
        failing = batch.validate(
            gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where id >= 95")
        )
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert (nulls.success, nulls.result["unexpected_count"], nulls.result["element_count"]) == (False, 10, 100)
    assert rows.success and rows.result["observed_value"] == 100
    assert typed.success and typed.result["observed_value"] == "DECIMAL"
    assert (failing.success, failing.result["observed_value"]) == (False, 5)
    # the metrics were aggregated by DuckDB: GX sent aggregate queries over raw.t, it did not pull the table
    lowered = [s.lower() for s in statements]
    assert any("count(*)" in s and "raw.t" in s for s in lowered)
    whole_table = [s for s in lowered if "raw.t" in s and "where" not in s and "limit" not in s and "count" not in s]
    assert whole_table == [], whole_table


def test_column_types_come_from_information_schema(database: Path) -> None:
    buffered = sa.create_engine(engine.connection_string(database))
    columns = {c["name"]: c["type"] for c in sa.inspect(buffered).get_columns("t", schema="raw")}
    buffered.dispose()
    assert isinstance(columns["id"], sa.BIGINT)
    assert isinstance(columns["v"], sa.VARCHAR)
    assert isinstance(columns["amount"], sa.DECIMAL)
    assert (columns["amount"].precision, columns["amount"].scale) == (12, 2)
    assert isinstance(columns["nested"], sa.types.NullType)


def test_close_connections_lets_another_configuration_open_the_file(database: Path) -> None:
    """GX's pools keep connections; after close_connections a read-only connection (another configuration,
    like dbt's or the summary's) can open the file in the same process."""
    batch = _gx_batch(engine.connection_string(database))
    assert batch.validate(gx.expectations.ExpectTableRowCountToBeBetween(min_value=1)).success
    with pytest.raises(duckdb.ConnectionException):
        duckdb.connect(str(database), read_only=True)
    assert engine.close_connections() >= 1
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute("select count(*) from raw.t").fetchone() == (100,)
    con.close()
