"""Landing raw export files into DuckDB (`ccw.land`): formats, idempotence, replacement, quarantine.

Every test writes its own small export files with the registry's exact field names into a tmp
raw root and lands them into a tmp warehouse. Expected values are written out by hand.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ccw.exports import ENTITIES, entity
from ccw.land import LandingReport, WarehouseLockedError, ensure_raw_tables, land_all
from ccw.land import runner as runner_module
from ccw.land import transcode as transcode_module
from ccw.land.columns import struct_fields
from ccw.land.transcode import transcode_to_utf8

CHINESE_COMMENT = "客服非常耐心，问题解决了！"


# ---------------------------------------------------------------- helpers: a tmp workspace


T = TypeVar("T")


class Workspace:
    def __init__(self, root: Path) -> None:
        self.raw = root / "raw"
        self.warehouse = root / "warehouse.duckdb"
        self.quarantine = root / "quarantine"
        self.raw.mkdir()

    def path(self, system: str, name: str, filename: str) -> Path:
        path = self.raw / system / name / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def land(self) -> LandingReport:
        return land_all(self.raw, self.warehouse, quarantine_dir=self.quarantine)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.queries(lambda con: con.execute(sql, params or []).fetchall())

    def queries(self, ask: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """``ask(connection)`` on one read-only connection: opening the file costs more than a small query (a
        test that opened one per raw table spent 3 of its 4 CPU-seconds opening them)."""
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return ask(con)
        finally:
            con.close()

    def count(self, table: str, source_file: str | None = None) -> int:
        where = " where _source_file = ?" if source_file else ""
        return self.query(f'select count(*) from raw."{table}"{where}', [source_file] if source_file else [])[0][0]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def contact_record(contact_id: str, holds: int = 2, queue: str = "billing") -> dict:
    return {
        "ContactId": contact_id,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2024-03-05T09:00:00Z",
        "DisconnectTimestamp": "2024-03-05T09:07:30Z",
        "LastUpdateTimestamp": "2024-03-05T09:08:00Z",
        "CustomerEndpoint": {"Address": "+86 138 0000 0001", "Type": "TELEPHONE_NUMBER"},
        "Queue": {
            "Name": queue,
            "ARN": "arn:queue/1",
            "EnqueueTimestamp": "2024-03-05T09:00:40Z",
            "DequeueTimestamp": "2024-03-05T09:01:10Z",
            "Duration": 30,
        },
        "Agent": {
            "Username": "agent.li",
            "ConnectedToAgentTimestamp": "2024-03-05T09:01:10Z",
            "AgentInteractionDuration": 380,
            "CustomerHoldDuration": 25,
            "NumberOfHolds": holds,
            "AfterContactWorkDuration": 40,
            "AfterContactWorkStartTimestamp": "2024-03-05T09:07:30Z",
            "AfterContactWorkEndTimestamp": "2024-03-05T09:08:10Z",
        },
        "PreviousContactId": None,
        "NextContactId": None,
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Attributes": {"customer_id": "C0001", "issue_type": "billing", "ivr_path": "1>2"},
    }


def chat_session(session_id: str) -> dict:
    return {
        "session_id": session_id,
        "visitor_id": "V9",
        "customer_id": None,
        "email": "a@example.com",
        "requested_at": 1709629200000,
        "first_agent_message_at": 1709629215500,
        "ended_at": 1709629800000,
        "agent_id": "A7",
        "department": "sales",
        "entry_page_url": "https://shop.example/checkout",
        "referrer": "",
        "utm_source": "newsletter",
        "device": "mobile",
        "agent_messages": 12,
        "visitor_messages": 9,
        "missed": False,
        "transferred": True,
        "topic": "delivery",
    }


TICKET_HEADER = list(entity("helpdesk", "ticket").columns)


def ticket_row(ticket_id: str, status: str = "open", subject: str = "Refund, please") -> list[str]:
    return [ticket_id, "2024-03-05T08:00:00Z", "2024-03-05T10:00:00Z", subject, status, "high", "question",
            "email", "u1", "u2", "g1", "billing"]  # fmt: skip


SURVEY_HEADER = list(entity("survey", "responses").columns)


def survey_row(response_id: str, comment: str = CHINESE_COMMENT) -> list[str]:
    return [response_id, "voice", "CT-1", "C0001", "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", "5", "9", "2",
            comment]  # fmt: skip


ORDER_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("customer_id", pa.string()),
        ("ordered_at", pa.timestamp("us", tz="UTC")),
        ("amount", pa.decimal128(12, 2)),
        ("currency", pa.string()),
        ("status", pa.string()),
    ]
)


def write_orders(path: Path, amounts: list[str], schema: pa.Schema = ORDER_SCHEMA) -> Path:
    n = len(amounts)
    data = {
        "order_id": [f"O{i + 1}" for i in range(n)],
        "customer_id": ["C0001"] * n,
        "ordered_at": [datetime(2024, 3, 5, 10, 15, tzinfo=UTC)] * n,
        "amount": [Decimal(a) for a in amounts],
        "currency": ["CNY"] * n,
        "status": ["paid"] * n,
    }
    pq.write_table(pa.table({f.name: data[f.name] for f in schema}, schema=schema), path)
    return path


# ---------------------------------------------------------------- every format lands with the right values


def test_every_format_lands_with_the_right_values(ws: Workspace) -> None:
    cr = write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"),
                     [contact_record("c-1"), contact_record("c-2", holds=0, queue="sales")])  # fmt: skip
    write_jsonl(ws.path("chat", "sessions", "2024-03-05.jsonl"), [chat_session("s-1")])
    write_csv(ws.path("helpdesk", "ticket", "2024-03-05.csv"), TICKET_HEADER,
              [ticket_row("101", subject='Refund, "urgent"\nsecond line'), ticket_row("102")])  # fmt: skip
    write_csv(ws.path("survey", "responses", "2024-03-05.csv"), SURVEY_HEADER,
              [survey_row("r-1"), survey_row("r-2", "ok thanks")], encoding="gb18030")  # fmt: skip
    write_orders(ws.path("crm", "orders", "2024-03-05.parquet"), ["1234.50", "0.99"])
    before = datetime.now(UTC).replace(tzinfo=None)

    report = ws.land()

    after = datetime.now(UTC).replace(tzinfo=None)
    assert report.ok
    assert [(f.path, f.outcome, f.rows) for f in report.files] == [
        ("chat/sessions/2024-03-05.jsonl", "landed", 1),
        ("crm/orders/2024-03-05.parquet", "landed", 2),
        ("helpdesk/ticket/2024-03-05.csv", "landed", 2),
        ("survey/responses/2024-03-05.csv", "landed", 2),
        ("telephony/contact_records/2024-03-05.jsonl", "landed", 2),
    ]
    assert {f.entity for f in report.files} == {
        "chat__sessions", "crm__orders", "helpdesk__ticket", "survey__responses", "telephony__contact_records",
    }  # fmt: skip
    # nested structs are readable, JSON numbers land as their text
    assert ws.query(
        'select "ContactId", "Queue"."Name", "Queue"."Duration", "Agent"."NumberOfHolds", '
        '"CustomerEndpoint"."Address", "Attributes"."ivr_path", "PreviousContactId", _row_number, _export_date, '
        '_source_file, _file_checksum from raw."telephony__contact_records" order by _row_number'
    ) == [
        ("c-1", "billing", "30", "2", "+86 138 0000 0001", "1>2", None, 1, datetime(2024, 3, 5).date(),
         "telephony/contact_records/2024-03-05.jsonl", hashlib.sha256(cr.read_bytes()).hexdigest()),
        ("c-2", "sales", "30", "0", "+86 138 0000 0001", "1>2", None, 2, datetime(2024, 3, 5).date(),
         "telephony/contact_records/2024-03-05.jsonl", hashlib.sha256(cr.read_bytes()).hexdigest()),
    ]  # fmt: skip
    # epoch milliseconds and booleans as text, JSON null as NULL, empty string kept
    assert ws.query(
        "select requested_at, first_agent_message_at, missed, transferred, agent_messages, customer_id, referrer "
        'from raw."chat__sessions"'
    ) == [("1709629200000", "1709629215500", "false", "true", "12", None, "")]
    # CSV: quoted comma, quote and newline survive; every value is text
    assert ws.query('select id, subject, status, _row_number from raw."helpdesk__ticket" order by _row_number') == [
        ("101", 'Refund, "urgent"\nsecond line', "open", 1),
        ("102", "Refund, please", "open", 2),
    ]
    # GB18030: Chinese text intact
    assert ws.query('select response_id, comment, csat from raw."survey__responses" order by _row_number') == [
        ("r-1", CHINESE_COMMENT, "5"),
        ("r-2", "ok thanks", "5"),
    ]
    # Parquet keeps the registry's types: DECIMAL(12,2), TIMESTAMP (UTC wall clock)
    assert ws.query('select order_id, amount, ordered_at, _row_number from raw."crm__orders" order by 4') == [
        ("O1", Decimal("1234.50"), datetime(2024, 3, 5, 10, 15), 1),
        ("O2", Decimal("0.99"), datetime(2024, 3, 5, 10, 15), 2),
    ]
    assert ws.query('select typeof(amount) from raw."crm__orders" limit 1') == [("DECIMAL(12,2)",)]
    landed_at = ws.query('select distinct _landed_at from raw."crm__orders"')
    assert len(landed_at) == 1 and before <= landed_at[0][0] <= after


def test_every_raw_table_exists_before_any_file(ws: Workspace) -> None:
    report = ws.land()  # empty raw root
    assert report.files == [] and report.ok
    tables = {r[0] for r in ws.query("select table_name from information_schema.tables where table_schema = 'raw'")}
    assert {e.table for e in ENTITIES} | {"_landing_manifest", "_quarantine", "_landing_files"} <= tables
    assert ws.count("crm__orders") == 0


def test_ensure_raw_tables_is_idempotent_and_uses_registry_columns() -> None:
    con = duckdb.connect()
    ensure_raw_tables(con)
    ensure_raw_tables(con)
    cols = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'workforce__schedules' order by ordinal_position"
    ).fetchall()
    assert [c[0] for c in cols] == [
        "agent_id", "schedule_date", "activity", "start_local", "end_local",
        "_source_file", "_export_date", "_row_number", "_file_checksum", "_landed_at", "_extra",
    ]  # fmt: skip


def test_row_number_is_the_position_in_the_file(ws: Workspace) -> None:
    n = 20_000
    write_jsonl(ws.path("telephony", "agent_events", "2024-03-05.jsonl"),
                [{"EventId": str(i), "Username": "u", "EventTimestamp": "t", "State": "AVAILABLE"}
                 for i in range(1, n + 1)])  # fmt: skip
    write_csv(ws.path("workforce", "schedules", "2024-03-05.csv"), list(entity("workforce", "schedules").columns),
              [[str(i), "2024-03-05", "shift", "09:00", "17:00"] for i in range(1, n + 1)])  # fmt: skip
    assert ws.land().ok
    for table, key in (("telephony__agent_events", '"EventId"'), ("workforce__schedules", "agent_id")):
        mismatched = ws.query(f'select count(*) from raw."{table}" where cast({key} as bigint) <> _row_number')
        assert mismatched == [(0,)]
        assert ws.count(table) == n


def test_manifest_records_the_file_facts(ws: Workspace) -> None:
    path = write_csv(ws.path("helpdesk", "group", "2024-03-05.csv"), ["id", "name"], [["g1", "Billing"], ["g2", "VIP"]])
    arrived = datetime(2024, 3, 6, 1, 30, tzinfo=UTC)  # a day late
    os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    report = ws.land()
    assert ws.query(
        "select file_path, system, entity, export_date, checksum, bytes, rows, file_modified_at, outcome, reason, "
        "run_id from raw._landing_manifest"
    ) == [
        ("helpdesk/group/2024-03-05.csv", "helpdesk", "group", datetime(2024, 3, 5).date(),
         hashlib.sha256(b"id,name\ng1,Billing\ng2,VIP\n").hexdigest(), 26, 2, datetime(2024, 3, 6, 1, 30),
         "landed", None, report.run_id),
    ]  # fmt: skip


# ---------------------------------------------------------------- idempotence and replacement


def test_landing_twice_changes_nothing(ws: Workspace) -> None:
    write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    write_csv(ws.path("helpdesk", "ticket", "2024-03-05.csv"), TICKET_HEADER, [ticket_row("101")])
    first = ws.land()
    landed_at = ws.query('select _landed_at from raw."helpdesk__ticket"')

    second = ws.land()

    assert [f.outcome for f in first.files] == ["landed", "landed"]
    assert [f.outcome for f in second.files] == ["unchanged", "unchanged"]
    assert [f.rows for f in second.files] == [1, 1] and second.rows_landed == 0
    assert len(second.unchanged) == 2 and not second.landed and not second.replaced
    assert ws.count("helpdesk__ticket") == 1 and ws.count("telephony__contact_records") == 1
    assert ws.query('select _landed_at from raw."helpdesk__ticket"') == landed_at
    assert ws.query("select outcome, count(*) from raw._landing_manifest group by 1 order by 1") == [
        ("landed", 2),
        ("unchanged", 2),
    ]


def test_an_unchanged_file_is_not_read_again(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # same size and modification time as at its latest attempt: the known checksum stands (rsync's quick check)
    write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    write_csv(ws.path("helpdesk", "ticket", "2024-03-05.csv"), TICKET_HEADER, [ticket_row("101")])
    ws.land()
    read: list[Path] = []
    real = runner_module.fingerprint
    # this workspace's files only: a background set-up may land its own files in this process meanwhile
    monkeypatch.setattr(runner_module, "fingerprint",
                        lambda path: (ws.raw in path.parents and read.append(path)) or real(path))

    second = ws.land()

    assert [f.outcome for f in second.files] == ["unchanged", "unchanged"]
    assert read == []


def test_a_file_rewritten_in_place_is_read_and_replaced(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(ws.path("helpdesk", "ticket", "2024-03-05.csv"), TICKET_HEADER, [ticket_row("101", "open")])
    ws.land()
    stat = path.stat()
    # same size (open -> hold, four letters each), new modification time: read, and replaced
    write_csv(path, TICKET_HEADER, [ticket_row("101", "hold")])
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert [f.outcome for f in ws.land().files] == ["replaced"]
    # same size and the modification time put back: the quick check cannot see it; CCW_LAND_VERIFY_CHECKSUMS can
    write_csv(path, TICKET_HEADER, [ticket_row("101", "open")])
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert [f.outcome for f in ws.land().files] == ["unchanged"]
    monkeypatch.setenv("CCW_LAND_VERIFY_CHECKSUMS", "1")
    assert [f.outcome for f in ws.land().files] == ["replaced"]
    assert ws.query('select status from raw."helpdesk__ticket"') == [("open",)]


def test_resent_corrected_file_replaces_only_its_rows(ws: Workspace) -> None:
    resent = ws.path("helpdesk", "ticket", "2024-03-05.csv")
    write_csv(resent, TICKET_HEADER, [ticket_row("101", "open"), ticket_row("102", "open")])
    write_csv(ws.path("helpdesk", "ticket", "2024-03-06.csv"), TICKET_HEADER, [ticket_row("103", "new")])
    ws.land()
    other_before = ws.query("select id, status, _landed_at from raw.\"helpdesk__ticket\" where id = '103'")

    write_csv(resent, TICKET_HEADER, [ticket_row("101", "solved"), ticket_row("102", "open")])
    report = ws.land()

    by_path = {f.path: f.outcome for f in report.files}
    assert by_path == {"helpdesk/ticket/2024-03-05.csv": "replaced", "helpdesk/ticket/2024-03-06.csv": "unchanged"}
    assert report.replaced[0].rows == 2
    assert ws.query('select id, status from raw."helpdesk__ticket" order by id') == [
        ("101", "solved"),
        ("102", "open"),
        ("103", "new"),
    ]
    assert ws.query("select distinct _file_checksum from raw.\"helpdesk__ticket\" where id in ('101', '102')") == [
        (hashlib.sha256(resent.read_bytes()).hexdigest(),)
    ]
    assert ws.query("select id, status, _landed_at from raw.\"helpdesk__ticket\" where id = '103'") == other_before
    state = ws.query(
        "select last_outcome, landed_rows, is_current from raw._landing_files "
        "where file_path = 'helpdesk/ticket/2024-03-05.csv'"
    )
    assert state == [("replaced", 2, True)]


# ---------------------------------------------------------------- quarantine


def _corrupt_json(ws: Workspace) -> Path:
    path = ws.path("telephony", "contact_records", "2024-03-06.jsonl")
    lines = [
        json.dumps(contact_record("c-10")),
        '{"ContactId": "c-11", "Channel": ',
        json.dumps(contact_record("c-12")),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _null_json_record(ws: Workspace) -> Path:
    path = ws.path("telephony", "agent_events", "2024-03-06.jsonl")
    good = {"EventId": "e1", "Username": "u", "EventTimestamp": "t", "State": "LOGIN"}
    path.write_text(json.dumps(good) + "\nnull\n", encoding="utf-8")
    return path


def _truncated_parquet(ws: Workspace) -> Path:
    path = write_orders(ws.path("crm", "orders", "2024-03-06.parquet"), ["1.00", "2.00", "3.00"])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _missing_column(ws: Workspace) -> Path:
    header = [c for c in TICKET_HEADER if c != "updated_at"]  # required: it orders the ticket's versions
    row = ticket_row("110")
    del row[TICKET_HEADER.index("updated_at")]
    return write_csv(ws.path("helpdesk", "ticket", "2024-03-06.csv"), header, [row])


def _missing_json_key(ws: Workspace) -> Path:
    records = [{k: v for k, v in chat_session(f"s-{i}").items() if k != "session_id"} for i in range(3)]
    return write_jsonl(ws.path("chat", "sessions", "2024-03-06.jsonl"), records)


def _invalid_gb18030(ws: Workspace) -> Path:
    path = ws.path("survey", "responses", "2024-03-06.csv")
    good = csv_text(SURVEY_HEADER, [survey_row("r-10")]).encode("gb18030")
    path.write_bytes(good + b"r-11,voice,CT-2,C2,t,t,5,9,2,\x81\x20broken\n")
    return path


def _utf8_instead_of_gb18030(ws: Workspace) -> Path:
    # an even number of CJK characters in UTF-8 happens to decode as GB18030 (into wrong characters)
    path = ws.path("survey", "responses", "2024-03-06.csv")
    rows = [survey_row("r-10", "很好很好"), survey_row("r-11", "非常满意")]
    assert csv_text(SURVEY_HEADER, rows).encode("utf-8").decode("gb18030") != csv_text(SURVEY_HEADER, rows)
    return write_csv(path, SURVEY_HEADER, rows, encoding="utf-8")


def _empty_file(ws: Workspace) -> Path:
    path = ws.path("helpdesk", "ticket", "2024-03-06.csv")
    path.write_bytes(b"")
    return path


def _ragged_last_row(ws: Workspace) -> Path:
    path = ws.path("helpdesk", "ticket", "2024-03-06.csv")
    text = csv_text(TICKET_HEADER, [ticket_row("110"), ticket_row("111")]) + "112,2024-03-05T08:00:00Z\n"
    path.write_text(text, encoding="utf-8")
    return path


# Files refused by their path alone (a bad name, an impossible day, an unknown folder) never reach the manifest or
# the quarantine log: tests/python/test_land_paths.py.
BROKEN = {
    "corrupt JSON line": (_corrupt_json, "telephony__contact_records", "corrupt JSON"),
    "JSON record that is null": (_null_json_record, "telephony__agent_events", "not an object"),
    "truncated Parquet": (_truncated_parquet, "crm__orders", "unreadable Parquet"),
    # an unknown extra column or a missing optional one lands with a warning: tests/python/test_land_real_exports.py
    "missing required column": (_missing_column, "helpdesk__ticket",
                                "required column(s) of helpdesk__ticket missing: updated_at"),
    "JSON key in no record": (_missing_json_key, "chat__sessions", "required field(s) of chat__sessions missing: "
                              "session_id"),
    "invalid GB18030": (_invalid_gb18030, "survey__responses", "bad encoding: not valid GB18030"),
    "UTF-8 where GB18030 expected": (_utf8_instead_of_gb18030, "survey__responses", "bad encoding: the file is UTF-8"),
    "empty file": (_empty_file, "helpdesk__ticket", "empty file"),
    "ragged last CSV row": (_ragged_last_row, "helpdesk__ticket", "malformed CSV"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_file_is_quarantined_and_the_rest_lands(ws: Workspace, kind: str) -> None:
    make, table, expected_reason = BROKEN[kind]
    good = write_csv(ws.path("helpdesk", "group", "2024-03-06.csv"), ["id", "name"], [["g1", "Billing"]])
    good_json = write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    broken = make(ws)
    original = broken.read_bytes()
    relative = broken.relative_to(ws.raw).as_posix()

    report = ws.land()

    assert not report.ok
    assert [(f.path, f.outcome) for f in report.quarantined] == [(relative, "quarantined")]
    result = report.quarantined[0]
    assert expected_reason in result.reason
    assert result.entity == table and result.rows is None
    assert {f.path for f in report.landed} == {
        good.relative_to(ws.raw).as_posix(), good_json.relative_to(ws.raw).as_posix(),
    }  # fmt: skip
    assert f"QUARANTINED {relative}: {result.reason}" in report.render()
    # no row of it landed; the others did
    assert ws.count(table, relative) == 0
    assert ws.count("helpdesk__group") == 1 and ws.count("telephony__contact_records") == 1
    # recorded, copied aside, original untouched
    checksum = hashlib.sha256(original).hexdigest()
    assert ws.query("select file_path, checksum, reason from raw._quarantine") == [(relative, checksum, result.reason)]
    assert ws.query("select outcome, reason from raw._landing_manifest where file_path = ?", [relative]) == [
        ("quarantined", result.reason)
    ]
    copy = ws.quarantine / Path(relative).parent / f"{Path(relative).name}.{checksum[:8]}"
    assert result.quarantine_path == copy
    assert copy.read_bytes() == original
    assert result.reason in copy.with_name(copy.name + ".reason").read_text(encoding="utf-8")
    assert broken.read_bytes() == original


def test_quarantined_file_fixed_later_lands(ws: Workspace) -> None:
    broken = _missing_column(ws)
    first = ws.land()
    assert [f.outcome for f in first.files] == ["quarantined"]

    again = ws.land()  # unchanged and still broken: reported again, not copied again
    assert [f.outcome for f in again.files] == ["quarantined"]
    assert again.files[0].reason.startswith("still quarantined")
    assert ws.query("select count(*) from raw._quarantine") == [(1,)]

    write_csv(broken, TICKET_HEADER, [ticket_row("110", "pending")])
    fixed = ws.land()

    assert [(f.outcome, f.rows) for f in fixed.files] == [("landed", 1)]
    assert ws.query('select id, status from raw."helpdesk__ticket"') == [("110", "pending")]
    assert ws.query("select last_outcome, is_quarantined, is_current from raw._landing_files") == [
        ("landed", False, True)
    ]


def test_broken_resend_keeps_the_last_good_version(ws: Workspace) -> None:
    path = write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    ws.land()
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")

    report = ws.land()

    assert [f.outcome for f in report.files] == ["quarantined"]
    assert ws.query('select "ContactId" from raw."telephony__contact_records"') == [("c-1",)]
    assert ws.query("select last_outcome, has_rows_in_raw, is_current, landed_rows from raw._landing_files") == [
        ("quarantined", True, False, 1)
    ]


def test_a_warehouse_problem_stops_the_run_instead_of_quarantining(ws: Workspace) -> None:
    with duckdb.connect(str(ws.warehouse)) as con:  # a view where the raw table belongs: nothing can land into it
        con.execute('create schema raw; create view raw."helpdesk__group" as select 1 as id')
    write_csv(ws.path("helpdesk", "group", "2024-03-06.csv"), ["id", "name"], [["g1", "Billing"]])
    with pytest.raises(duckdb.Error):
        ws.land()
    assert not ws.quarantine.exists()
    with duckdb.connect(str(ws.warehouse)) as con:
        assert con.execute("select count(*) from information_schema.tables where table_name = '_quarantine'"
                           ).fetchone()[0] in (0, 1)


# ---------------------------------------------------------------- GB18030 decoding and the one-writer rule


def test_transcoding_keeps_characters_split_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcode_module, "_CHUNK", 3)  # every 2- and 4-byte character straddles chunks
    text = "id,comment\n1,满意😀 ok\n"
    source = tmp_path / "in.csv"
    source.write_bytes(b"\x84\x31\x95\x33" + text.encode("gb18030"))  # with a GB18030 byte order mark
    target = tmp_path / "out.csv"
    transcode_to_utf8(source, target)
    assert target.read_bytes() == text.encode("utf-8")


def test_struct_fields_reads_registry_struct_types() -> None:
    assert struct_fields("STRUCT(Address VARCHAR, Type VARCHAR)") == ["Address", "Type"]
    assert struct_fields("VARCHAR") is None
    agent = struct_fields(entity("telephony", "contact_records").columns["Agent"])
    assert agent[7] == "AfterContactWorkEndTimestamp" and agent[-1] == "StateTransitions"
    assert "RoutingProfile" in agent and "Name" not in agent, "a nested STRUCT is one field"


def test_locked_warehouse_gives_a_clear_error(ws: Workspace) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(ws.warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseLockedError, match="locked by another process"):
            ws.land()
    finally:
        holder.communicate("")
