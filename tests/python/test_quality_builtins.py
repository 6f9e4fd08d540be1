"""Why the raw gates keep custom SQL where they do (``ccw.quality.raw_rules``): GX 1.24's own expectations on DuckDB,
through ``ccw.quality.engine``, on hand-made raw rows, next to the gates' rules on the same rows.

Each test pins one reason. When one fails after an upgrade, GX may now say what the rule says: move that rule
onto the built-in (and measure the raw gates on the tiny sample, see ``raw_rules``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest

from ccw.exports import BY_TABLE
from ccw.land import ensure_raw_tables
from ccw.quality import engine, raw_rules
from ccw.quality.tables import ensure_quality_objects

pytestmark = pytest.mark.filterwarnings("ignore:`schema_name` is deprecated:DeprecationWarning")

FILE = "telephony/agent_events/2026-11-02.jsonl"
AT = "2026-11-02T09:00:00Z"
#: (EventId, State) per row; every row has the same Username and EventTimestamp
EVENTS = [
    ("E1", "AVAILABLE"),  # 1: fine
    ("   ", " available\t"),  # 2: blank key; a state staging reads as AVAILABLE
    ("\u3000", "break"),  # 3: ideographic space only: blank key; a state staging reads as BREAK
    (None, "SLEEPING"),  # 4: no key; a state staging does not accept
    ("E5", None),  # 5: no state: staging keeps null
    ("E1", "AVAILABLE"),  # 6: an exact copy of row 1 in the same file
]
MANY_NULLS = 25


def _land_events(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        'insert into raw.telephony__agent_events ("EventId", "Username", "EventTimestamp", "State", _source_file, '
        "_export_date, _row_number, _file_checksum, _landed_at) values (?, 'ann', ?, ?, ?, ?, ?, 'sha', ?)",
        [[key, AT, state, FILE, date(2026, 11, 2), n, datetime(2026, 11, 3)]
         for n, (key, state) in enumerate(EVENTS, start=1)],
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The registry's raw tables (crm__orders: amount altered to DECIMAL(10,0), ordered_at to TIMESTAMPTZ), the
    gates' macros, EVENTS, and scratch.many: MANY_NULLS rows with a null key."""
    path = tmp_path_factory.mktemp("builtins") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    ensure_raw_tables(con)
    ensure_quality_objects(con)
    _land_events(con)
    con.execute("alter table raw.crm__orders alter amount type decimal(10, 0)")
    con.execute("alter table raw.crm__orders alter ordered_at type timestamptz")
    con.execute("create schema scratch; create table scratch.many as select 'f' as _source_file, "
                f"range + 1 as _row_number, cast(null as varchar) as k from range({MANY_NULLS})")
    con.close()
    yield path
    engine.close_connections()


@pytest.fixture(scope="module")
def source(database: Path):
    context = gx.get_context(mode="ephemeral")
    return context.data_sources.add_sql("warehouse", connection_string=engine.connection_string(database))


#: a number per asset (an expectation's id() is reused once it is collected: two assets were once named alike)
_ASSET_NUMBERS = itertools.count(1)


def _validate(source, relation: str, expectation: gx.expectations.Expectation, result_format: dict | str = "BASIC"):
    schema, table = relation.split(".")
    name = f"{relation}:{type(expectation).__name__}:{next(_ASSET_NUMBERS)}"
    asset = source.add_table_asset(name, table_name=table, schema_name=schema)
    return asset.add_batch_definition_whole_table("all").get_batch().validate(expectation, result_format=result_format)


def _failing_rows(database: Path, rule: raw_rules.Rule) -> list[int]:
    """The gates' rule on the raw table: the failing rows' numbers (one file)."""
    con = duckdb.connect(str(database))  # the default configuration: shares the instance GX opened
    try:
        rows = con.execute(rule.on('raw."telephony__agent_events"')).fetchall()
    finally:
        con.close()
    assert {r[0] for r in rows} <= {FILE}
    return sorted(r[1] for r in rows)


def _rule(rules: list[raw_rules.Rule], name: str) -> raw_rules.Rule:
    return next(r for r in rules if r.name == name)


def _exception_messages(result) -> list[str]:
    info = dict(result.exception_info or {})
    nested = [v for v in info.values() if isinstance(v, dict)]
    return [m for m in [info.get("exception_message"), *(v.get("exception_message") for v in nested)] if m]


EVENTS_SPEC = raw_rules.BY_SPEC_TABLE["telephony__agent_events"]


def test_not_null_passes_blank_keys_the_gates_quarantine(database: Path, source) -> None:
    result = _validate(source, "raw.telephony__agent_events",
                       gx.expectations.ExpectColumnValuesToNotBeNull(column="EventId"))
    assert result.result["unexpected_count"] == 1  # row 4 only: "   " and an ideographic space pass
    present = _rule(raw_rules.key_rules(EVENTS_SPEC.entity), "EventId_present")
    assert _failing_rows(database, present) == [2, 3, 4]


def test_in_set_on_the_raw_text_fails_values_staging_accepts(database: Path, source) -> None:
    accepted = raw_rules.staging_accepted_values()
    values, _ = accepted[("stg_telephony__agent_events", "state")]
    result = _validate(source, "raw.telephony__agent_events",
                       gx.expectations.ExpectColumnValuesToBeInSet(column="State", value_set=values))
    assert result.result["unexpected_count"] == 3  # " available\t", "break", "SLEEPING"; null passes
    state = _rule(raw_rules.enum_rules(EVENTS_SPEC, accepted), "State_accepted")
    assert _failing_rows(database, state) == [4]  # SLEEPING only: staging reads rows 2 and 3 as accepted states


def test_regex_expectations_do_not_run_on_duckdb(source) -> None:
    """The way a built-in could see a blank value (a non-space character) raises: GX has no DuckDB dialect module."""
    result = _validate(source, "raw.telephony__agent_events",
                       gx.expectations.ExpectColumnValuesToMatchRegex(column="EventId", regex=r"\S"))
    assert not result.success
    assert any("Regex is not supported for dialect duckdb" in m for m in _exception_messages(result))


def test_the_unexpected_index_list_stops_at_twenty_rows(source) -> None:
    """Quarantine needs every failing (_source_file, _row_number): GX's list stops at partial_unexpected_count even
    with COMPLETE (its unexpected_index_query has no limit)."""
    complete = {"result_format": "COMPLETE", "unexpected_index_column_names": ["_source_file", "_row_number"]}
    result = _validate(source, "scratch.many", gx.expectations.ExpectColumnValuesToNotBeNull(column="k"), complete)
    assert result.result["unexpected_count"] == MANY_NULLS
    assert len(result.result["unexpected_index_list"]) == 20
    assert "limit" not in result.result["unexpected_index_query"].lower()


def test_compound_unique_fails_the_first_copy_too(database: Path, source) -> None:
    columns = ["_source_file", "EventId", "Username", "EventTimestamp", "State"]
    result = _validate(source, "raw.telephony__agent_events",
                       gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=columns))
    assert result.result["unexpected_count"] == 2  # rows 1 and 6: the record itself would be set aside
    unique = _rule(raw_rules.key_rules(EVENTS_SPEC.entity), "EventId_unique_per_version")
    assert _failing_rows(database, unique) == [6]  # the later copy only


def test_type_expectations_compare_classes_not_duckdb_types(database: Path, source) -> None:
    decimal = _validate(source, "raw.crm__orders",
                        gx.expectations.ExpectColumnValuesToBeOfType(column="amount", type_="DECIMAL"))
    assert decimal.success  # DECIMAL(10,0) where the registry says DECIMAL(12,2)
    zoned = _validate(source, "raw.crm__orders",
                      gx.expectations.ExpectColumnValuesToBeOfType(column="ordered_at", type_="TIMESTAMP"))
    assert zoned.success  # TIMESTAMP WITH TIME ZONE where the registry says TIMESTAMP
    nested = _validate(source, "raw.telephony__contact_records",
                       gx.expectations.ExpectColumnValuesToBeOfType(column="Queue", type_="VARCHAR"))
    assert nested.result["observed_value"] == "NullType"  # a STRUCT cannot be compared at all
    types = raw_rules.schema_rules(BY_TABLE["crm__orders"])[0]
    con = duckdb.connect(str(database))
    try:
        assert sorted(con.execute(types.on('raw."crm__orders"')).fetchall()) == [
            ("amount", "DECIMAL(12,2)", "DECIMAL(10,0)"), ("ordered_at", "TIMESTAMP", "TIMESTAMPWITHTIMEZONE")]
    finally:
        con.close()


def test_column_expectations_cannot_address_a_struct_field(source) -> None:
    """Durations are text fields inside structs ("Queue".Duration): a column expectation finds no such column."""
    result = _validate(source, "raw.telephony__contact_records",
                       gx.expectations.ExpectColumnValuesToBeBetween(column="Queue.Duration", min_value=0,
                                                                     max_value=14400))
    assert not result.success
    assert _exception_messages(result)
