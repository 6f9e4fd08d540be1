"""Raw tables with hand-made rows (clean and dirty) to build and check the dbt staging layer.

``create_raw_tables`` creates every ``raw."<system>__<entity>"`` table of ``ccw.exports`` plus the
landing manifest and quarantine tables, empty. ``insert_sample_rows`` adds a few rows per table that
exercise each dirt pattern of the raw-export spec. Run as a script to prepare a scratch warehouse::

    .venv/bin/python tests/python/staging_fixture.py /tmp/ccw-staging/warehouse.duckdb [--empty]
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from ccw.exports import BY_TABLE
from ccw.land.tables import ensure_raw_tables

LANDED_AT = dt.datetime(2025, 10, 3, 2, 0, 0)


def sql_literal(value: Any) -> str:
    """A DuckDB literal for a Python value (structs as ``{'field': value}``)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"'{k}': {sql_literal(v)}" for k, v in value.items()) + "}"
    return "'" + str(value).replace("'", "''") + "'"


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw tables exactly as landing creates them (entities, manifest, quarantine log)."""
    ensure_raw_tables(con)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, day: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert export records of one file ``<system>/<entity>/<day>.<ext>`` with their landing columns."""
    entity = BY_TABLE[table]
    for number, record in enumerate(rows, start=1):
        unknown = set(record) - set(entity.columns)
        if unknown:
            raise KeyError(f"{table}: not export fields: {sorted(unknown)}")
        values = {name: record.get(name) for name in entity.columns}
        values |= {
            "_source_file": f"{entity.system}/{entity.name}/{day}.{entity.extension}",
            "_export_date": dt.date.fromisoformat(day),
            "_row_number": number,
            "_file_checksum": f"sha256-{table}-{day}",
            "_landed_at": LANDED_AT,
        }
        names = ", ".join(f'"{n}"' for n in values)
        literals = ", ".join(sql_literal(v) for v in values.values())
        con.execute(f'INSERT INTO raw."{table}" ({names}) VALUES ({literals})')


def _queue(name: str | None, enq: str | None, deq: str | None, dur: str | None) -> dict[str, Any]:
    return {"Name": name, "ARN": None, "EnqueueTimestamp": enq, "DequeueTimestamp": deq, "Duration": dur}


def _agent(user: str, connected: str, talk: str, hold: str, holds: str, acw: str, acw_start: str, acw_end: str):
    return {
        "Username": user, "ConnectedToAgentTimestamp": connected, "AgentInteractionDuration": talk,
        "CustomerHoldDuration": hold, "NumberOfHolds": holds, "AfterContactWorkDuration": acw,
        "AfterContactWorkStartTimestamp": acw_start, "AfterContactWorkEndTimestamp": acw_end,
    }


def _call(contact_id: str, method: str, start: str, end: str, updated: str, phone: str | None, customer: str | None,
          queue: dict | None, agent: dict | None, **extra: Any) -> dict[str, Any]:
    record = {
        "ContactId": contact_id, "Channel": "VOICE", "InitiationMethod": method, "InitiationTimestamp": start,
        "DisconnectTimestamp": end, "LastUpdateTimestamp": updated,
        "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"} if phone else None,
        "Queue": queue, "Agent": agent, "PreviousContactId": None, "NextContactId": None,
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Attributes": {"customer_id": customer, "issue_type": "billing_question", "ivr_path": "main>billing"},
    }
    record.update(extra)
    return record


def insert_sample_rows(con: duckdb.DuckDBPyConnection) -> None:
    q1 = _queue("CN-Billing", "2025-10-01T01:00:20Z", "2025-10-01T01:00:35Z", "15")
    a1 = _agent("li.na", "2025-10-01T01:00:35Z", "300", "20", "1", "60", "2025-10-01T01:05:55Z",
                "2025-10-01T01:06:55Z")
    c1_old = _call("C-001", "INBOUND", "2025-10-01T01:00:00Z", "2025-10-01T01:05:55Z", "2025-10-01T01:05:55Z",
                   "+86 138 1234 5678", "CUST-0001", q1, None, NextContactId="C-002")
    c1_new = _call("C-001", "INBOUND", "2025-10-01T01:00:00Z", "2025-10-01T01:05:55Z", "2025-10-01T01:07:00Z",
                   "+86 138 1234 5678", "CUST-0001", q1, a1, NextContactId="C-002")
    c2 = _call("C-002", "TRANSFER", "2025-10-01T09:05:55+08:00", "2025-10-01T09:10:00+08:00",
               "2025-10-01T01:10:00Z", "138-1234-5678", "CUST-0001",
               _queue("CN-General", "2025-10-01T01:05:55Z", "2025-10-01T01:06:10Z", "15"),
               _agent("wang.wei", "2025-10-01T01:06:10Z", "-35", "0", "0", "40", "2025-10-01T01:10:00Z",
                      "2025-10-01T01:10:40Z"),
               PreviousContactId="C-001")
    c3 = _call("C-003", "CALLBACK", "2025-10-01T02:00:00Z", "2025-10-01T02:10:00Z", "2025-10-01T02:10:00Z",
               "008613812345678", "CUST-0001", _queue("CN-General", "2025-10-01T02:00:00Z",
                                                      "2025-10-01T02:00:05Z", "5"),
               _agent("li.na", "2025-10-01T02:00:05Z", "500", "99999", "2", "30", "2025-10-01T02:10:00Z",
                      "2025-10-01T02:10:30Z"))
    c4 = _call("C-004", "INBOUND", "2025-10-01T03:00:00Z", "2025-10-01T03:01:00Z", "2025-10-01T03:01:00Z",
               "13812345678", "  ", None, None, DisconnectReason="CONTACT_FLOW_DISCONNECT")
    c5 = _call("C-005", "INBOUND", "2025-10-01T04:00:00Z", "2025-10-01T04:00:30Z", "2025-10-01T04:00:30Z",
               "+44 (0)7700 900123", "TEST-0001", _queue("INTL-Support", "2025-10-01T04:00:10Z",
                                                          "2025-10-01T04:00:13Z", "3"), None)
    c6 = _call("C-006", " inbound ", "2025-10-01T25:61:00Z", "2025-10-01T05:02:00Z", "2025-10-01T05:02:00Z",
               "07700 900123", "CUST-0002", None, None, DisconnectReason="  ")
    insert_rows(con, "telephony__contact_records", "2025-10-01", [c1_old, c2, c3, c4, c5, c6])
    insert_rows(con, "telephony__contact_records", "2025-10-02", [c1_new, c1_new])

    insert_rows(con, "telephony__agent_events", "2025-10-01", [
        {"EventId": "E-1", "Username": "li.na", "EventTimestamp": "2025-10-01T00:55:00Z", "State": "LOGIN"},
        {"EventId": "E-2", "Username": "li.na", "EventTimestamp": "2025-10-01T00:56:00Z", "State": "available"},
        {"EventId": "E-3", "Username": " li.na ", "EventTimestamp": "yesterday", "State": "BREAK"},
    ])
    insert_rows(con, "telephony__agent_events", "2025-10-02", [
        {"EventId": "E-2", "Username": "li.na", "EventTimestamp": "2025-10-01T00:56:00Z", "State": "AVAILABLE"},
    ])

    ticket = {"id": "1001", "created_at": "2025-10-01T02:00:00Z", "updated_at": "2025-10-01T03:00:00Z",
              "subject": " Refund for order 12345, call me at 138 1234 5678 ", "status": "open",
              "priority": "normal", "type": "question", "via_channel": "email", "requester_id": "501",
              "assignee_id": "", "group_id": "20", "custom_issue_type": "refund_request"}
    insert_rows(con, "helpdesk__ticket", "2025-10-01", [
        ticket,
        {**ticket, "id": "1002", "via_channel": "web", "status": "New", "priority": "", "type": "",
         "subject": "", "requester_id": "502", "created_at": "not a date"},
    ])
    insert_rows(con, "helpdesk__ticket", "2025-10-02", [
        {**ticket, "updated_at": "2025-10-02T08:00:00Z", "status": "solved", "assignee_id": "9001"},
    ])
    insert_rows(con, "helpdesk__ticket_comment", "2025-10-01", [
        {"id": "3001", "ticket_id": "1001", "user_id": "501", "created": "2025-10-01T02:00:00Z", "public": "true",
         "body": "Please refund, write to li.wei@example.com"},
        {"id": "3002", "ticket_id": "1001", "user_id": "9001", "created": "2025-10-01T03:00:00Z", "public": "False",
         "body": "  "},
    ])
    insert_rows(con, "helpdesk__ticket_field_history", "2025-10-01", [
        {"ticket_id": "1001", "field_name": "status", "value": "new", "updated": "2025-10-01T02:00:00Z",
         "user_id": "501"},
        {"ticket_id": "1001", "field_name": "status", "value": "open", "updated": "2025-10-01T03:00:00Z",
         "user_id": "9001"},
    ])
    insert_rows(con, "helpdesk__ticket_field_history", "2025-10-02", [
        {"ticket_id": "1001", "field_name": "status", "value": "open", "updated": "2025-10-01T03:00:00Z",
         "user_id": "9001"},
        {"ticket_id": "1001", "field_name": "status", "value": "solved", "updated": "2025-10-02T08:00:00Z",
         "user_id": "9001"},
    ])
    insert_rows(con, "helpdesk__user", "2025-10-01", [
        {"id": "501", "name": " Li Wei ", "email": "Li.Wei@Example.com ", "phone": "+86 138 1234 5678",
         "role": "end-user", "external_id": "CUST-0001", "created_at": "2025-01-05T00:00:00Z",
         "time_zone": "Asia/Shanghai"},
        {"id": "502", "name": "Tester", "email": "qa@example.test", "phone": "", "role": "end-user",
         "external_id": "", "created_at": "2025-01-05T00:00:00Z", "time_zone": ""},
        {"id": "9001", "name": "王伟", "email": "wang.wei@ccw.example", "phone": None, "role": "agent",
         "external_id": None, "created_at": "2024-06-01T00:00:00Z", "time_zone": "Asia/Shanghai"},
    ])
    insert_rows(con, "helpdesk__group", "2025-10-01", [
        {"id": "20", "name": " CN Email "}, {"id": "21", "name": "Intl Email"},
    ])

    session = {"session_id": "S-1", "visitor_id": "V-1", "customer_id": "CUST-0001", "email": "li.wei@example.com",
               "requested_at": "1759280400000", "first_agent_message_at": "1759280412000",
               "ended_at": "1759281000000", "agent_id": "chat-7", "department": "cn_support",
               "entry_page_url": "https://shop.example/orders", "referrer": "", "utm_source": "newsletter",
               "device": "mobile", "agent_messages": "6", "visitor_messages": "5", "missed": "false",
               "transferred": "0", "topic": "order_status"}
    insert_rows(con, "chat__sessions", "2025-10-01", [
        {**session, "ended_at": "1759280900000", "agent_messages": "4"},
        {**session, "session_id": "S-2", "customer_id": None, "email": "bot@example.test",
         "first_agent_message_at": None, "agent_id": None, "requested_at": "17592804000",
         "missed": "TRUE", "agent_messages": "-1", "topic": ""},
    ])
    insert_rows(con, "chat__sessions", "2025-10-02", [session])

    response = {"response_id": "R-1", "contact_channel": "phone", "contact_ref": "C-001", "customer_id": "CUST-0001",
                "sent_at": "2025-10-01T01:10:00Z", "responded_at": "2025-10-01T02:00:00Z", "csat": "5",
                "nps": "9", "ces": "6", "comment": "服务很好，谢谢"}
    insert_rows(con, "survey__responses", "2025-10-01", [
        response,
        {**response, "response_id": "R-2", "contact_channel": "chat", "contact_ref": "S-1", "responded_at": "",
         "csat": "", "nps": "", "ces": "", "comment": ""},
        {**response, "response_id": "R-3", "csat": "6", "nps": "11", "ces": "0", "customer_id": "TEST-9"},
    ])

    agent = {"agent_id": "A-1", "username": "li.na", "helpdesk_user_id": "9002", "chat_agent_id": "chat-7",
             "full_name": "李娜", "email": "li.na@ccw.example", "team": "CN Voice", "site": "shanghai",
             "site_time_zone": "Asia/Shanghai", "supervisor_id": "A-9", "hire_date": "2024-03-01",
             "employment_status": "active"}
    insert_rows(con, "workforce__agents", "2025-10-01", [
        agent, {**agent, "agent_id": "A-2", "username": "wang.wei", "helpdesk_user_id": "9001",
                "chat_agent_id": "", "full_name": "王伟", "email": "wang.wei@ccw.example"},
    ])
    insert_rows(con, "workforce__agents", "2025-10-02", [agent, {**agent, "team": "CN Billing"}])

    def activity(agent_id: str, day: str, kind: str, start: str, end: str) -> dict[str, str]:
        return {"agent_id": agent_id, "schedule_date": day, "activity": kind, "start_local": start, "end_local": end}

    insert_rows(con, "workforce__schedules", "2025-10-01", [
        activity("A-1", "2025-10-02", "shift", "2025-10-02 09:00:00", "2025-10-02 18:00:00"),
        activity("A-1", "2025-10-02", "lunch", "2025-10-02 12:00:00", "2025-10-02 13:00:00"),
        activity("A-2", "2025-10-02", "shift", "2025-10-02 08:00:00", "2025-10-02 07:00:00"),
    ])
    insert_rows(con, "workforce__schedules", "2025-10-02", [
        activity("A-1", "2025-10-02", "shift", "2025-10-02 10:00:00", "2025-10-02 19:00:00"),
        activity("A-1", "2025-10-02", "Break", "2025-10-02 15:00:00", "2025-10-02 15:15:00"),
    ])

    insert_rows(con, "crm__customers", "2025-10-01", [
        {"customer_id": "CUST-0001", "created_at": "2025-01-05T00:00:00Z", "segment": "gold", "region": "East",
         "city": "Shanghai", "signup_source": "web", "phone": "138 1234 5678", "email": "LI.WEI@example.com"},
        {"customer_id": "TEST-0001", "created_at": "2025-01-05T00:00:00Z", "segment": " ", "region": "UK",
         "city": "London", "signup_source": "app", "phone": "+44 7700 900123", "email": "qa@example.test"},
    ])
    insert_rows(con, "crm__orders", "2025-10-01", [
        {"order_id": "O-1", "customer_id": "CUST-0001", "ordered_at": dt.datetime(2025, 9, 30, 10, 0),
         "amount": 199.0, "currency": "CNY", "status": "paid"},
        {"order_id": "O-2", "customer_id": "TEST-0001", "ordered_at": dt.datetime(2025, 9, 30, 11, 0),
         "amount": 10.0, "currency": "GBP", "status": " PAID "},
    ])
    insert_rows(con, "crm__orders", "2025-10-02", [
        {"order_id": "O-1", "customer_id": "CUST-0001", "ordered_at": dt.datetime(2025, 9, 30, 10, 0),
         "amount": 199.0, "currency": "CNY", "status": "refunded"},
    ])

    manifest = [
        ("telephony/contact_records/2025-10-01.jsonl", "telephony", "contact_records", "2025-10-01", "sha256-a",
         4096, 6, dt.datetime(2025, 10, 1, 23, 30), dt.datetime(2025, 10, 2, 2, 0), "landed", None),
        ("telephony/contact_records/2025-10-01.jsonl", "telephony", "contact_records", "2025-10-01", "sha256-a",
         4096, 6, dt.datetime(2025, 10, 1, 23, 30), dt.datetime(2025, 10, 3, 2, 0), "unchanged", None),
        ("chat/sessions/2025-10-01.jsonl", "chat", "sessions", "2025-10-01", "sha256-b",
         2048, 2, dt.datetime(2025, 10, 3, 6, 0), dt.datetime(2025, 10, 3, 7, 0), "landed", None),
        ("survey/responses/2025-10-02.csv", "survey", "responses", "2025-10-02", "sha256-c",
         100, None, dt.datetime(2025, 10, 2, 23, 0), dt.datetime(2025, 10, 3, 2, 0), "quarantined",
         "header does not match the contract"),
    ]
    con.executemany(
        "INSERT INTO raw._landing_manifest (run_id, file_path, system, entity, export_date, checksum, bytes, rows, "
        "file_modified_at, landed_at, outcome, reason) VALUES ('run-1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        manifest,
    )
    con.execute(
        "INSERT INTO raw._quarantine (file_path, system, entity, checksum, reason, quarantine_path, quarantined_at) "
        "VALUES ('survey/responses/2025-10-02.csv', 'survey', 'responses', 'sha256-c', "
        "'header does not match the contract', '/tmp/q/survey/responses/2025-10-02.csv.sha256-c', "
        "TIMESTAMP '2025-10-03 02:00:00')"
    )


def prepare(path: Path, with_rows: bool = True) -> None:
    """(Re)create a scratch warehouse file with the raw tables, optionally with the sample rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        create_raw_tables(con)
        if with_rows:
            insert_sample_rows(con)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--empty", action="store_true", help="create the raw tables without rows")
    args = parser.parse_args()
    prepare(args.warehouse, with_rows=not args.empty)


if __name__ == "__main__":
    main()
