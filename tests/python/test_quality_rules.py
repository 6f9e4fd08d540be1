"""The raw gates read values the way staging does, and take their lists from the project's single sources."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ccw.exports import ENTITIES
from ccw.quality import raw_rules, sql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'; create schema quality")
    for statement in sql.macro_ddl():
        connection.execute(statement)
    yield connection
    connection.close()


def _one(con: duckdb.DuckDBPyConnection, expression: str, *params: object) -> object:
    return con.execute(f"select {expression}", list(params)).fetchone()[0]


def test_constants_match_the_staging_macros() -> None:
    durations = (ROOT / "macros/staging/durations.sql").read_text(encoding="utf-8")
    assert f"var('max_call_part_seconds', {sql.DURATION_CEILINGS['call_part']})" in durations
    assert f"var('max_activity_seconds', {sql.DURATION_CEILINGS['activity']})" in durations
    epoch = (ROOT / "macros/staging/epoch_ms_to_timestamp.sql").read_text(encoding="utf-8")
    assert f"return(({sql.EPOCH_MS_BOUNDS[0]}, {sql.EPOCH_MS_BOUNDS[1]}))" in epoch


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  ann\t", "ann"),
        ("\u3000张伟\u00a0", "张伟"),  # ideographic and no-break spaces, as Chinese exports pad
        ("   ", None),
        ("", None),
        (None, None),
        ("a b", "a b"),
    ],
)
def test_clean_trims_padding_and_blanks_become_null(con, text: str | None, expected: str | None) -> None:
    assert _one(con, "quality.clean(?)", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01T08:00:00Z", datetime(2026, 10, 1, 8)),
        (" 2026-10-01T08:00:00.250Z ", datetime(2026, 10, 1, 8, 0, 0, 250000)),
        ("2026-10-01T16:00:00+08:00", datetime(2026, 10, 1, 8)),  # an offset converts to UTC
        ("2026-10-01 03:00:00-05", datetime(2026, 10, 1, 8)),
        ("2026-10-01 08:00:00", datetime(2026, 10, 1, 8)),  # no offset: UTC already
        ("2026-10-01", datetime(2026, 10, 1)),
        ("31/12/2026 25:61", None),
        ("not a time", None),
    ],
)
def test_iso_timestamps(con, text: str, expected: datetime | None) -> None:
    assert _one(con, "quality.iso_ts(?)", text) == expected


def test_epoch_milliseconds_within_2000_and_2100(con) -> None:
    # 1790000000 s = 20717 days (2026-09-21) + 51200 s (14:13:20)
    assert _one(con, "quality.epoch_ms_ts(?)", "1790000000000") == datetime(2026, 9, 21, 14, 13, 20)
    assert _one(con, "quality.epoch_ms_ts(?)", "1790000000") is None  # seconds sent by mistake: year 1970
    assert _one(con, "quality.epoch_ms_ts(?)", "abc") is None


def test_local_times_on_their_date(con) -> None:
    assert _one(con, "quality.local_ts(?, ?)", "09:30", "2026-10-25") == datetime(2026, 10, 25, 9, 30)
    assert _one(con, "quality.local_ts(?, ?)", "2026-10-25 23:00:00", "2026-10-25") == datetime(2026, 10, 25, 23)
    assert _one(con, "quality.local_ts(?, ?)", "25:00", "2026-10-25") is None


@pytest.mark.parametrize(
    ("text", "invalid"),
    [(" 20 ", False), ("0", False), ("14400", False), ("14401", True), ("-5", True), ("abc", True), (None, False),
     ("", False)],
)
def test_durations_within_zero_and_the_ceiling(con, text: str | None, invalid: bool) -> None:
    assert _one(con, "quality.invalid_duration(?, 14400)", text) is invalid


def test_enumerations_come_from_the_staging_accepted_values() -> None:
    accepted = raw_rules.staging_accepted_values()
    assert accepted[("stg_telephony__agent_events", "state")] == (
        ["LOGIN", "AVAILABLE", "ON_CONTACT", "AFTER_CONTACT_WORK", "BREAK", "LUNCH", "TRAINING", "MEETING", "LOGOUT",
         "NOT_READY", "OTHER"],
        "error",
    )
    assert accepted[("stg_chat__sessions", "device")][1] == "warn"
    for spec in raw_rules.SPECS:
        for enum in spec.enums:
            assert (enum.staging_model, enum.staging_column) in accepted, enum
    rules = {r.name: r for r in raw_rules.rules_for(raw_rules.BY_SPEC_TABLE["chat__sessions"])}
    assert rules["device_accepted"].severity == raw_rules.WARNING
    assert "('desktop', 'mobile', 'tablet')" in rules["device_accepted"].sql


def test_queue_references_come_from_the_queue_seed() -> None:
    refs = raw_rules.queue_refs()
    seed = (ROOT / "seeds/queues.csv").read_text(encoding="utf-8")
    assert all(ref in seed for system in refs for ref in refs[system])
    assert set(refs) == {"telephony", "chat", "helpdesk"}


def test_every_raw_table_has_a_suite_with_unique_rule_names() -> None:
    assert {s.table for s in raw_rules.SPECS} == {e.table for e in ENTITIES}
    for spec in raw_rules.SPECS:
        names = [r.name for r in raw_rules.rules_for(spec)]
        assert len(names) == len(set(names)), spec.table
        for rule in raw_rules.rules_for(spec):
            assert rule.severity in (raw_rules.CRITICAL, raw_rules.WARNING)
            assert raw_rules.BATCH in rule.sql, rule.name
            assert not re.search(r"(?<!\{)\{(?!batch\})", rule.query.replace("{{", "")), rule.name


def test_volume_band_leaves_holidays_out() -> None:
    """Five Thursdays of 100 rows, then a Thursday of 10 rows: flagged as half empty, unless that day is a holiday
    (then neither judged nor used in the band of later days)."""
    thursdays = ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29", "2026-02-05"]
    rows = {day: 100 for day in thursdays[:5]} | {thursdays[5]: 10}
    with duckdb.connect() as con:
        con.execute("create table batch (_source_file varchar, _export_date varchar)")
        for day, n in rows.items():
            con.execute(f"insert into batch select 'x/{day}.jsonl', '{day}' from range({n})")

        def flagged(holidays: list[str]) -> list[str]:
            low = next(r for r in raw_rules.volume_rules(holidays) if r.name == "rows_vs_same_weekday_low")
            return [r[0] for r in con.execute(low.sql.replace(raw_rules.BATCH, "batch")).fetchall()]

        assert flagged([]) == ["x/2026-02-05.jsonl"]
        assert flagged(["2026-02-05"]) == []
        # a holiday in the history is left out of the band: 4 earlier Thursdays remain, enough to judge
        assert flagged(["2026-01-01"]) == ["x/2026-02-05.jsonl"]
    assert "2026-10-01" in raw_rules.holiday_dates()  # the seed is read (National Day, Shanghai)
