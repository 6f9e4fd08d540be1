"""Raw gates on hand-made raw rows in a scratch DuckDB: each bad input of raw-exports.md and each gate rule,
fed and its outcome asserted (quarantined N rows / warned / stopped with the named rule).

Two scratch build databases, one gate run each:
- ``few_bad``: every file has at most 1 bad row in 200 (0.5 %, under the 1 % threshold) plus the dirt staging
  handles (re-exports, padding, empty strings, test accounts, skewed durations, events out of order, phone
  spellings, enumerations padded or in another case): the run goes on, bad rows are quarantined with their rule
  and file (a key of Unicode spaces is blank), dirt only warns.
- ``stopping``: a file with 10 % bad rows, a half-empty file, a file of unknown agents, a column of the wrong
  type: the run stops and the report names the file, the rule and the count.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ccw.exports import BY_TABLE
from ccw.land import ensure_raw_tables
from ccw.quality import GateReport, run_raw_gates

MONDAYS = [date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]  # no holiday
ROSTER = ["ann", "bob", "cho"]


class Landing:
    """Writes raw rows and their manifest entry the way landing does (one file = one export day)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        ensure_raw_tables(con)

    def file(self, table: str, day: date, rows: list[dict]) -> str:
        entity = BY_TABLE[table]
        path = f"{entity.system}/{entity.name}/{day.isoformat()}.{entity.extension}"
        checksum = f"sha-{path}"
        columns = [*entity.columns, "_source_file", "_export_date", "_row_number", "_file_checksum", "_landed_at"]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        values = [
            [row.get(c) for c in entity.columns] + [path, day, n, checksum, datetime(2026, 10, 6, 3)]
            for n, row in enumerate(rows, start=1)
        ]
        self.con.executemany(f'insert into raw."{table}" ({names}) values ({marks})', values)
        self.con.execute(
            "insert into raw._landing_manifest (run_id, file_path, system, entity, export_date, checksum, bytes, "
            "rows, file_modified_at, landed_at, outcome) values ('test', ?, ?, ?, ?, ?, 1, ?, ?, ?, 'landed')",
            [path, entity.system, entity.name, day, checksum, len(rows), datetime(2026, 10, 6, 2),
             datetime(2026, 10, 6, 3)],
        )
        return path


def event(n: int, day: date, user: str = "ann", state: str = "AVAILABLE", at: str | None = None) -> dict:
    stamp = at or (datetime.combine(day, datetime.min.time()) + timedelta(seconds=60 * n)).isoformat() + "Z"
    return {"EventId": f"E{day:%m%d}-{n:04d}", "Username": user, "EventTimestamp": stamp, "State": state}


def roster(con_landing: Landing, day: date) -> None:
    con_landing.file("workforce__agents", day, [
        {"agent_id": f"A{i}", "username": name, "helpdesk_user_id": f"90{i}", "chat_agent_id": f"op{i}",
         "full_name": name.title(), "team": "T1", "site": "london", "employment_status": "active"}
        for i, name in enumerate(ROSTER)
    ])


def contact(n: int, day: date, **changes: object) -> dict:
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=n)
    iso = start.isoformat() + "Z"
    row = {
        "ContactId": f"C{day:%m%d}-{n:04d}", "Channel": "VOICE", "InitiationMethod": "INBOUND",
        "InitiationTimestamp": iso, "DisconnectTimestamp": iso, "LastUpdateTimestamp": iso,
        "CustomerEndpoint": {"Address": "+8613812345678", "Type": "TELEPHONE_NUMBER"},
        "Queue": {"Name": "CN-General", "ARN": None, "EnqueueTimestamp": iso, "DequeueTimestamp": iso,
                  "Duration": "20"},
        "Agent": {"Username": "bob", "ConnectedToAgentTimestamp": iso, "AgentInteractionDuration": "200",
                  "CustomerHoldDuration": "0", "NumberOfHolds": "0", "AfterContactWorkDuration": "30",
                  "AfterContactWorkStartTimestamp": iso, "AfterContactWorkEndTimestamp": iso},
        "Attributes": {"customer_id": "C001", "issue_type": "billing", "ivr_path": None},
    }
    row.update(changes)
    return row


def chat(n: int, day: date, **changes: object) -> dict:
    requested = int(datetime.combine(day, datetime.min.time()).timestamp() * 1000) + 36_000_000 + n * 60_000
    row = {"session_id": f"S{day:%m%d}-{n:04d}", "visitor_id": f"v{n}", "requested_at": str(requested),
           "ended_at": str(requested + 300_000), "agent_id": "op1", "department": "cn_support", "device": "mobile",
           "missed": "false", "transferred": "false"}
    row.update(changes)
    return row


def _gates(tmp_path: Path, build) -> tuple[GateReport, duckdb.DuckDBPyConnection]:
    database = tmp_path / "build" / "warehouse.duckdb"
    database.parent.mkdir(parents=True)
    con = duckdb.connect(str(database))
    build(Landing(con))
    con.close()
    report = run_raw_gates(database, tmp_path)
    return report, duckdb.connect(str(database), read_only=True)


def _result(report: GateReport, asset: str, rule: str):
    found = [r for r in report.results if r.asset == asset and r.expectation == rule]
    assert len(found) == 1, f"{asset} {rule}: {[(r.asset, r.expectation) for r in report.results][:5]}..."
    return found[0]


# --------------------------------------------------------------------------------------------- few bad rows
def _few_bad(land: Landing) -> None:
    for day in MONDAYS:
        roster(land, day)
    days = [MONDAYS[-1] + timedelta(days=i) for i in range(5)]
    bad = {
        days[0]: lambda n, d: {**event(n, d), "EventId": "   "},  # key blank after trimming
        days[1]: lambda n, d: event(n, d, at="not a time"),  # record time unparseable
        days[2]: lambda n, d: event(n, d, at="2019-03-01T10:00:00Z"),  # record time far from the export day
        days[3]: lambda n, d: event(n, d, state="SLEEPING"),  # unknown state (dbt error test)
    }
    for day in days:
        rows = [event(n, day, user=ROSTER[n % 3]) for n in range(200)]
        if day in bad:
            rows[7] = bad[day](7, day)
        if day == days[4]:
            rows[9] = dict(rows[8])  # the same record twice in one file: the later copy is set aside
            rows[10] = {**rows[10], "Username": "  cho\t"}  # padding: staging trims it, not a failure
            rows[11], rows[12] = rows[12], rows[11]  # events out of order: fine
        land.file("telephony__agent_events", day, rows)
    # re-export: yesterday's first record again in today's file (different file: not a duplicate)
    land.file("telephony__agent_events", days[4] + timedelta(days=1), [event(0, days[4]), event(1, days[4])])
    sunday = days[4] + timedelta(days=2)  # no earlier Sunday: no volume band
    rows = [event(n, sunday, user=ROSTER[n % 3]) for n in range(200)]
    rows[7] = {**rows[7], "EventId": "\u3000\u00a0"}  # a key of ideographic and no-break spaces: blank
    rows[8] = {**rows[8], "State": " available\t"}  # padded, lower case: staging reads AVAILABLE, not a failure
    rows[9] = {**rows[9], "State": "Break"}  # staging reads BREAK
    land.file("telephony__agent_events", sunday, rows)
    contacts = [contact(n, days[0]) for n in range(50)]
    contacts[1] = contact(1, days[0], Queue={**contacts[1]["Queue"], "Duration": "-40"})  # clock skew
    contacts[2] = contact(2, days[0], Agent={**contacts[2]["Agent"], "AgentInteractionDuration": "900000"})
    contacts[3] = contact(3, days[0], PreviousContactId="", NextContactId="")  # empty strings for nulls
    contacts[4] = contact(4, days[0], Attributes={"customer_id": "TEST-0001", "issue_type": "other",
                                                   "ivr_path": None})  # internal test account
    contacts[5] = contact(5, days[0], CustomerEndpoint={"Address": "0086 138-1234-5678", "Type": "TELEPHONE_NUMBER"})
    contacts[6] = contact(6, days[0], DisconnectTimestamp="yesterday")  # a secondary time staging nulls and flags
    land.file("telephony__contact_records", days[0], contacts)
    sessions = [chat(n, days[0]) for n in range(50)]
    sessions[1] = chat(1, days[0], device="smartwatch")  # unknown device: the dbt test only warns
    sessions[2] = chat(2, days[0], ended_at=str(int(sessions[2]["requested_at"]) - 60_000))  # ends before start
    sessions[3] = chat(3, days[0], department="vip_desk")  # 2 of 50 sessions (4 %) in a queue nobody knows
    sessions[4] = chat(4, days[0], department="vip_desk")
    land.file("chat__sessions", days[0], sessions)


@pytest.fixture(scope="module")
def few_bad(tmp_path_factory: pytest.TempPathFactory):
    report, con = _gates(tmp_path_factory.mktemp("few_bad"), _few_bad)
    yield report, con
    con.close()


def test_few_bad_rows_are_set_aside_and_the_run_goes_on(few_bad) -> None:
    report, con = few_bad
    assert report.ok, report.render()
    assert report.quarantined_rows == 6
    assert not report.untrusted_files
    # 6 files x 200 rows + 2 re-exported rows landed; the 6 quarantined rows left the raw table
    assert con.execute("select count(*) from raw.telephony__agent_events").fetchone() == (1202 - 6,)


@pytest.mark.parametrize(
    ("day", "rule", "row_number"),
    [
        ("2026-11-02", "EventId_present", 8),
        ("2026-11-03", "EventTimestamp_valid_record_time", 8),
        ("2026-11-04", "EventTimestamp_valid_record_time", 8),
        ("2026-11-05", "State_accepted", 8),
        ("2026-11-06", "EventId_unique_per_version", 10),
        ("2026-11-08", "EventId_present", 8),  # rows 9 and 10 (padded / mixed-case states) stay
    ],
)
def test_each_bad_row_is_quarantined_with_its_rule_and_file(few_bad, day: str, rule: str, row_number: int) -> None:
    _, con = few_bad
    source_file = f"telephony/agent_events/{day}.jsonl"
    rows = con.execute(
        "select rule, row_number, file_checksum, row_data from quality.quarantined_rows where source_file = ?",
        [source_file],
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(rule, row_number, f"sha-{source_file}")]
    kept = json.loads(rows[0][3])
    assert kept["_source_file"] == source_file and kept["_row_number"] == row_number
    gone = con.execute(
        "select count(*) from raw.telephony__agent_events where _source_file = ? and _row_number = ?",
        [source_file, row_number],
    ).fetchone()
    assert gone == (0,)


def test_quarantined_rules_warn_with_file_and_count(few_bad) -> None:
    report, _ = few_bad
    result = _result(report, "raw.telephony__agent_events", "EventTimestamp_valid_record_time")
    assert (result.severity, result.success) == ("warning", False)
    assert result.message.startswith("2 row(s) quarantined")
    assert "telephony/agent_events/2026-11-03.jsonl (1)" in result.message
    assert "telephony/agent_events/2026-11-04.jsonl (1)" in result.message


def test_dirt_staging_handles_only_warns_and_stays_in_raw(few_bad) -> None:
    report, con = few_bad
    durations = _result(report, "raw.telephony__contact_records", "Queue_Duration_within_0_14400")
    assert (durations.severity, durations.success, durations.observed) == ("warning", False, "1")
    absurd = _result(report, "raw.telephony__contact_records", "Agent_AgentInteractionDuration_within_0_14400")
    assert (absurd.severity, absurd.success, absurd.observed) == ("warning", False, "1")
    skew = _result(report, "raw.chat__sessions", "ended_at_not_before_requested_at")
    assert (skew.severity, skew.success, skew.observed) == ("warning", False, "1")
    device = _result(report, "raw.chat__sessions", "device_accepted")
    assert (device.severity, device.success, device.observed) == ("warning", False, "1")
    disconnect = _result(report, "raw.telephony__contact_records", "DisconnectTimestamp_parseable")
    assert (disconnect.severity, disconnect.success, disconnect.observed) == ("warning", False, "1")
    queues = _result(report, "raw.chat__sessions", "department_unknown_queue_share_warn")
    assert (queues.severity, queues.success) == ("warning", False)
    assert queues.message.endswith("chat/sessions/2026-11-02.jsonl, 2, 50, 0.04")
    # an unknown queue never stops the run, at any share: it becomes a queue of its own (int_queues__unconfigured)
    assert not [r for r in report.results if r.expectation.endswith("_unknown_queue_share_max")]
    assert con.execute("select count(*) from raw.telephony__contact_records").fetchone() == (50,)
    assert con.execute("select count(*) from raw.chat__sessions").fetchone() == (50,)


def test_clean_dirt_passes_every_rule(few_bad) -> None:
    """Re-exports in another file, padding, empty strings, test accounts, phone spellings, out-of-order
    events and known agents/queues fail nothing."""
    report, _ = few_bad
    for asset, rule in [
        ("raw.telephony__contact_records", "ContactId_unique_per_version"),
        ("raw.telephony__contact_records", "InitiationTimestamp_valid_record_time"),
        ("raw.telephony__contact_records", "Agent_Username_unknown_agent_share_warn"),
        ("raw.telephony__contact_records", "Queue_Name_unknown_queue_share_warn"),
        ("raw.telephony__agent_events", "Username_unknown_agent_share_warn"),
        ("raw.telephony__agent_events", "rows_vs_same_weekday_low"),
        ("raw.telephony__agent_events", "columns_match_registry"),
        ("raw.chat__sessions", "requested_at_valid_record_time"),
    ]:
        assert _result(report, asset, rule).success, rule


def test_gate_results_and_data_docs_are_written(few_bad) -> None:
    report, con = few_bad
    stored = con.execute(
        "select count(*), count(*) filter (where not success) from quality.gate_results where run_id = ?",
        [report.run_id],
    ).fetchone()
    assert stored == (len(report.results), len(report.warnings))
    assert report.data_docs_index is not None and report.data_docs_index.is_file()
    assert f"Data Docs: {report.data_docs_index.resolve().as_uri()}" in report.render()


# ------------------------------------------------------------------------------------------------ stopping
def _stopping(land: Landing) -> None:
    for day in MONDAYS:
        roster(land, day)
        rows = 60 if day != MONDAYS[-1] else 20  # the last Monday is a third of the usual file: half-empty
        land.file("telephony__agent_events", day, [event(n, day, user=ROSTER[n % 3]) for n in range(rows)])
    tuesday = MONDAYS[-1] + timedelta(days=1)
    rows = [event(n, tuesday) for n in range(100)]
    for n in range(0, 100, 10):  # 10 % of the file without a timestamp that parses
        rows[n] = event(n, tuesday, at="31/12/2026 25:61")
    land.file("telephony__agent_events", tuesday, rows)
    wednesday = tuesday + timedelta(days=1)
    # a file where 30 of 100 events come from usernames the roster does not know
    land.file("telephony__agent_events", wednesday,
              [event(n, wednesday, user="ghost" if n < 30 else "ann") for n in range(100)])
    thursday = wednesday + timedelta(days=1)
    # at-least-once delivery (Kinesis, Firehose): 20 of 100 records are exact copies of records of the same file
    unique = [event(n, thursday) for n in range(80)]
    land.file("telephony__agent_events", thursday, unique + unique[:20])
    land.con.execute("alter table raw.crm__orders alter amount type varchar")  # not the registry's DECIMAL
    land.con.execute("alter table raw.helpdesk__group add column region varchar")  # not in the registry


@pytest.fixture(scope="module")
def stopping(tmp_path_factory: pytest.TempPathFactory):
    report, con = _gates(tmp_path_factory.mktemp("stopping"), _stopping)
    yield report, con
    con.close()


def test_a_file_over_the_threshold_is_not_trusted_and_set_aside_whole(stopping) -> None:
    """Tuesday's file: 10 of its 100 events have a broken timestamp, 10 % > 1 %. The 10 are quarantined under their
    rule and the file's 90 other rows under file_not_trusted, so none of it reaches a model and nothing is lost
    (100 rows: 0 in the raw table, 100 in quarantine). The file itself does not stop the run (report.ok does not
    count it: test_quality_raw_gates_incremental); this fixture stops for its other findings."""
    report, con = stopping
    assert [(f.source_file, f.failing_rows, f.file_rows, f.rules) for f in report.untrusted_files] == [
        ("telephony/agent_events/2026-11-03.jsonl", 10, 100, {"EventTimestamp_valid_record_time": 10})
    ]
    text = report.render()
    assert text.startswith("Raw quality gates: STOPPED")  # the half-empty export and the unknown agents
    assert ("QUARANTINED telephony/agent_events/2026-11-03.jsonl: file not trusted: 10 of 100 rows (10.0%) failed "
            "critical rules (EventTimestamp_valid_record_time 10); threshold 1.0%: set aside whole") in text
    source = "telephony/agent_events/2026-11-03.jsonl"
    assert con.execute("select rule, count(*) from quality.quarantined_rows where source_file = ? group by rule "
                       "order by rule", [source]).fetchall() == [("EventTimestamp_valid_record_time", 10),
                                                                 ("file_not_trusted", 90)]
    assert con.execute("select count(*) from raw.telephony__agent_events where _source_file = ?",
                       [source]).fetchone() == (0,)


def test_exact_copies_in_one_file_are_set_aside_and_never_make_it_untrusted(stopping) -> None:
    """20 % of Thursday's file are exact copies (a retried delivery): set aside and counted, but the file is
    trusted (no record is lost: its first copy stays), unlike Tuesday's 10 % of broken timestamps."""
    report, con = stopping
    thursday = (MONDAYS[-1] + timedelta(days=3)).isoformat()
    source = f"telephony/agent_events/{thursday}.jsonl"
    assert source not in [f.source_file for f in report.untrusted_files]
    copies = con.execute("select rule, count(*) from quality.quarantined_rows where source_file = ? group by rule",
                         [source]).fetchall()
    assert copies == [("EventId_unique_per_version", 20)]
    assert con.execute(f"select count(*) from raw.telephony__agent_events where _source_file = '{source}'"
                       ).fetchone() == (80,)


def test_a_half_empty_export_stops_the_run(stopping) -> None:
    report, _ = stopping
    low = _result(report, "raw.telephony__agent_events", "rows_vs_same_weekday_low")
    assert (low.severity, low.success) == ("critical", False)
    assert "telephony/agent_events/2026-11-02.jsonl, 20, 60" in low.message


def test_unknown_agents_above_the_share_stop_the_run(stopping) -> None:
    report, _ = stopping
    warn = _result(report, "raw.telephony__agent_events", "Username_unknown_agent_share_warn")
    stop = _result(report, "raw.telephony__agent_events", "Username_unknown_agent_share_max")
    assert (warn.severity, warn.success, stop.severity, stop.success) == ("warning", False, "critical", False)
    assert "telephony/agent_events/2026-11-04.jsonl, 30, 100, 0.3" in stop.message


def test_a_column_of_the_wrong_type_stops_the_run(stopping) -> None:
    report, _ = stopping
    types = _result(report, "raw.crm__orders", "column_types_match_registry")
    assert (types.severity, types.success) == ("critical", False)
    assert types.message.endswith("failing amount, DECIMAL(12,2), VARCHAR")


def test_a_column_outside_the_registry_stops_the_run(stopping) -> None:
    report, _ = stopping
    columns = _result(report, "raw.helpdesk__group", "columns_match_registry")
    assert (columns.severity, columns.success) == ("critical", False)
    assert columns.message.endswith("unexpected region")


def test_the_threshold_is_configurable(stopping, monkeypatch: pytest.MonkeyPatch) -> None:
    from ccw.quality.quarantine import untrusted_files
    from ccw.quality.settings import MAX_BAD_ROW_SHARE_ENV, max_bad_share

    _, con = stopping
    assert [f.source_file for f in untrusted_files(con, 0.099)] == ["telephony/agent_events/2026-11-03.jsonl"]
    assert untrusted_files(con, 0.10) == []  # 10 of 100 is not above 10 %
    monkeypatch.setenv(MAX_BAD_ROW_SHARE_ENV, "0.15")
    assert max_bad_share() == 0.15
    monkeypatch.setenv(MAX_BAD_ROW_SHARE_ENV, "15%")
    with pytest.raises(ValueError, match=MAX_BAD_ROW_SHARE_ENV):
        max_bad_share()
