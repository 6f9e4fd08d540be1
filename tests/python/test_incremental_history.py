"""An incremental history equals a full rebuild (issue 16, item 5).

The tiny sample lands in daily steps as a centre receives it: every export day up to CUT first (one full build),
then each held-back day in its own landing and incremental dbt build, with what real deliveries bring: a late
file (one day's agent events arrive a day late), corrected re-sent files of earlier, already built days (agent
events removed and a state changed; a day's schedule re-planned), a new hire (an agent who works before the
roster first names them), a ticket reopened 10 days after it was solved, a survey answered 3 days after it was
sent; CRM changes (a re-sent orders file, a moved order, a refund, a customer turned test account, a customer
exported after their orders) and call changes (a late middle leg of a transfer, re-sent contact records, a chain
left out for a test-account leg that a re-sent file drops). Then the same build file is rebuilt with --full-refresh
from the same raw rows, and every incremental model and everything they read must hold the same rows:
order-independent fingerprints of the exact values, doubles too (the KPI sums are exact: sum_exact in
macros/kpi/ratio.sql; they used to be compared to 6 significant digits). Each build is also published onto the
serving file of the build before (only what changed is written), which must then serve the build's marts row for
row.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ccw.build import dbt_target_path
from ccw.generate import GeneratorConfig, generate
from ccw.land import land_all
from ccw.publish import publish
from conftest import NO_JSON_ARTIFACTS, ROOT, background_result, built_in_background, in_own_process

#: the day-window incremental models (config materialized incremental with delete_day_window) and all they read;
#: the ticket and survey facts (full rebuilds over incremental staging: the reopened ticket, the late answer)
#: and the changed-key models (macros/incremental/changed_keys.sql: int_customers__customers, fct_orders, dim_customers)
#: and the call legs and phone contacts (incremental by call chain: macros/incremental/changed_call_chains.sql)
SELECTION = ["+fct_agent_states", "+fct_schedules", "+int_agents__daily", "+fct_tickets", "+fct_survey_responses",
             "+dim_customers", "+int_contacts__calls"]
#: the last export day built in full before the daily runs; the tiny sample's exports run 2026-10-07 .. 2026-10-26
CUT = date(2026, 10, 22)
DAILY = [CUT + timedelta(days=n) for n in range(1, 4)]
#: agent events of this held-back day land with the next day (a late file)
LATE = (("telephony", "agent_events"), DAILY[0], DAILY[1])
#: these files of already built days are re-sent, corrected, with this held-back day: agent events, and a re-plan
CORRECTED = DAILY[1]
EVENTS_CORRECTED = CUT - timedelta(days=3)
PLAN_CORRECTED = CUT - timedelta(days=2)
#: a new hire: the roster names them only from this held-back day; they work (events) from the first day
NEW_HIRE = ("A0004", DAILY[2])
#: a ticket solved on the first day comes back open (ticket export and field history) on the second, 10 days later
REOPENED = (DAILY[1] - timedelta(days=10), DAILY[1])
#: a survey sent on the first day is answered on the second, 3 days later (in that day's survey export)
LATE_ANSWER = (CUT, DAILY[2])

#: CRM changes: an orders file of an earlier day re-sent without one of its orders (a replaced file) with the first
#: daily run; with the second, an order re-sent under another customer, an order refunded and a customer re-sent as
#: a test account (an @example.test e-mail); with the third, the record of a customer whose orders came days before
ORDERS_CORRECTED = (CUT - timedelta(days=4), DAILY[0])
CRM_CHANGES = DAILY[1]
LATE_CUSTOMER = DAILY[2]
#: the middle leg of a three-leg call (a transfer) of an already built day arrives with this held-back day's contact
#: records: until then its next leg starts a contact of its own
LATE_LEG = DAILY[1]
#: a transfer whose second leg is a test account (its chain left out) and whose first leg the day before's export
#: holds: the second leg's file is re-sent without it with the first daily run, and the first leg becomes a contact
TEST_LEG_RESENT = DAILY[0]
#: with the same run as the late leg, an earlier day's contact records re-sent corrected: the first leg of a
#: transfer left out (its next leg then starts a contact of its own), a single-leg call left out and one call's issue
#: type changed
RECORDS_CORRECTED = CUT - timedelta(days=5)

#: columns that say when a row was built, not what it holds (staging's watermark of the build that read it)
BOOKKEEPING = {"_landed_watermark", "_chain_built_at"}

RUN_SCRIPT = """
import sys
from ccw.build import run_dbt
sys.exit(0 if run_dbt(sys.argv[1:]) else 1)
"""


@dataclass(frozen=True)
class Histories:
    incremental: dict[str, tuple]
    full: dict[str, tuple]
    #: the last daily run once more on a copy of the build file whose fct_agent_states rows were all marked first:
    #: (rows after it, rows it left as they were)
    probe: tuple[int, int]
    #: after the incremental runs: the reopened ticket's (status, reopen_count, solves) and the late answer's
    #: (responded_at, csat, contact_id)
    reopened: tuple
    late_answer: tuple
    #: the last daily run's probe of the changed-key marts: (rows, rows it left as they were) of fct_orders and of
    #: dim_customers
    crm_probe: tuple[tuple[int, int], tuple[int, int]]
    #: after the incremental runs, by CrmChanges field: the removed order's rows; the moved order's customer; the
    #: refunded order's (status, is_paid); the test account's rows in dim_customers and fct_orders; the late
    #: customer's dim_customers (order_count, has_orders) and its orders' is_known_customer values
    crm: dict[str, object]
    #: int_contacts__call_legs after the LATE_LEG run: (rows, rows that run computed), and the late middle leg's (legs
    #: of its contact, whether its next leg is in that contact, phone contacts named after the next leg)
    legs_probe: tuple[int, int]
    late_leg: tuple
    #: the first leg of the test-account transfer: (legs, phone contacts) named after it after the full build, after
    #: the run that landed its second leg's file re-sent without the second leg, and after the last run
    first_leg: tuple
    #: each build published onto the serving file of the build before (ccw.publish.changes): per publish
    #: (started from the previous file, marts kept, marts merged by row); then the marts the last served file holds
    #: otherwise than the build (table -> (served, built) rows and exact hash sum)
    publishes: list[tuple[bool, int, int]]
    served_differences: dict[str, tuple]


def export_day(path: Path) -> date:
    return date.fromisoformat(path.name.split(".")[0])


def entity_of(raw: Path, path: Path) -> tuple[str, str]:
    system, entity = path.relative_to(raw).parts[:2]
    return system, entity


def deliver(sample: Path, raw: Path, day: date) -> None:
    """Copy the export files of ``day`` into the landing folder (the LATE file waits for its delivery day)."""
    for path in sorted(sample.rglob("*.*")):
        entity = entity_of(sample, path)
        held = (entity, export_day(path)) == LATE[:2]
        due = (export_day(path) == day and not held) or (held and day == LATE[2])
        if day <= CUT:
            due = export_day(path) <= CUT
        if due:
            target = raw / path.relative_to(sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def records_of(path: Path) -> list[dict]:
    """The records of a JSON-lines export."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_records(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def correct(raw: Path) -> None:
    """Re-send the corrected files: of EVENTS_CORRECTED every seventh event left out and the first AVAILABLE made a
    BREAK; of PLAN_CORRECTED the first shift an hour longer and the first break dropped."""
    path = raw / "telephony" / "agent_events" / f"{EVENTS_CORRECTED.isoformat()}.jsonl"
    kept = [event for n, event in enumerate(records_of(path)) if n % 7 != 3]
    first_available = next(event for event in kept if event["State"] == "AVAILABLE")
    first_available["State"] = "BREAK"
    write_records(path, kept)
    path = raw / "workforce" / "schedules" / f"{PLAN_CORRECTED.isoformat()}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    first_break = next(row for row in rows if row["activity"] == "break")
    rows.remove(first_break)
    first_shift = next(row for row in rows if row["activity"] == "shift")
    end = datetime.fromisoformat(first_shift["end_local"]) + timedelta(hours=1)
    first_shift["end_local"] = end.isoformat(sep=" ")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@dataclass(frozen=True)
class CrmChanges:
    removed_order: str
    moved_order: str
    moved_to: str
    refunded_order: str
    test_customer: str
    late_customer: str


def query_orders(folder: Path, sql: str) -> list[tuple]:
    """``sql`` over the Parquet order exports of ``folder`` as `orders` (with each row's `filename`)."""
    with duckdb.connect() as con:
        return con.execute(f"with orders as (select * from read_parquet('{folder}/*.parquet', filename = true)) "
                           + sql).fetchall()


def paid_order_exported_once(folder: Path, day: date) -> str:
    """A paid order that only the ``day`` file of ``folder`` exports."""
    return query_orders(folder, f"""
        select order_id from orders group by order_id
        having count(*) = 1 and bool_and(filename like '%{day.isoformat()}.parquet') and bool_and(status = 'paid')
        order by order_id limit 1""")[0][0]


def append_orders(path: Path, rows: list[tuple]) -> None:
    """``rows`` (order_id, customer_id, ordered_at, amount, currency, status) added to a Parquet orders export."""
    with duckdb.connect() as con:
        con.execute(f"create table orders as select * from read_parquet('{path}')")
        con.executemany("insert into orders values (?, ?, ?, ?, ?, ?)", rows)
        con.execute(f"copy orders to '{path}' (format parquet)")


def hold_back_middle_leg(sample: Path) -> tuple[str, str]:
    """The middle leg of a chain of exactly three legs (the first, it, the last) of a day CUT - 4 .. CUT, exported
    once: its record leaves its file and comes with LATE_LEG's contact records. Returns (its id, its next leg's)."""
    records: dict[str, list[tuple[Path, dict]]] = {}
    for path in sorted((sample / "telephony" / "contact_records").glob("*.jsonl")):
        for record in records_of(path):
            records.setdefault(record["ContactId"], []).append((path, record))
    previous = {leg: versions[-1][1].get("PreviousContactId") for leg, versions in records.items()}
    has_next = {leg for leg in previous.values() if leg}
    middle, path, after = min(
        (leg, versions[0][0], next_leg) for leg, versions in records.items() for next_leg in records
        if previous[next_leg] == leg and previous[leg] in records and previous[previous[leg]] not in records
        and next_leg not in has_next and len(versions) == 1
        and CUT - timedelta(days=4) <= export_day(versions[0][0]) <= CUT)
    write_records(path, [record for record in records_of(path) if record["ContactId"] != middle])
    late = sample / "telephony" / "contact_records" / f"{LATE_LEG.isoformat()}.jsonl"
    write_records(late, [*records_of(late), records[middle][0][1]])
    return middle, after


def split_test_chain(sample: Path) -> tuple[str, str]:
    """A two-leg transfer of a day CUT - 8 .. CUT - 6 (both legs exported once, in that day's file): its first leg
    moves to the day before's file and its second leg's caller becomes a test account. Returns (first, second)."""
    folder = sample / "telephony" / "contact_records"
    exported: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for record in records_of(path):
            exported.setdefault(record["ContactId"], []).append(path)
    for day in (CUT - timedelta(days=8), CUT - timedelta(days=7), CUT - timedelta(days=6)):
        path = folder / f"{day.isoformat()}.jsonl"
        records = records_of(path)
        by_id = {record["ContactId"]: record for record in records}
        has_next = {record.get("PreviousContactId") for record in records}
        pairs = [(by_id[r["PreviousContactId"]], r) for r in records
                 if r.get("PreviousContactId") in by_id and not by_id[r["PreviousContactId"]].get("PreviousContactId")
                 and r["ContactId"] not in has_next and len(exported[r["ContactId"]]) == 1
                 and len(exported[r["PreviousContactId"]]) == 1]
        if pairs:
            first, second = pairs[0]
            second["Attributes"] = {**(second.get("Attributes") or {}), "customer_id": "TEST-QA-0001"}
            write_records(path, [record for record in records if record is not first])
            before = folder / f"{(day - timedelta(days=1)).isoformat()}.jsonl"
            write_records(before, [*records_of(before), first])
            return first["ContactId"], second["ContactId"]
    raise AssertionError("no two-leg transfer in the sample's days CUT - 8 .. CUT - 6")


def resend_without(raw: Path, sample: Path, leg: str) -> None:
    """The file of ``leg`` re-sent without it."""
    name = next(path.name for path in (sample / "telephony" / "contact_records").glob("*.jsonl")
                if any(record["ContactId"] == leg for record in records_of(path)))
    path = raw / "telephony" / "contact_records" / name
    write_records(path, [record for record in records_of(path) if record["ContactId"] != leg])


def first_leg_outcome(warehouse: Path, first: str) -> tuple:
    """(legs of the first leg's contact, phone contacts named after it)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select (select count(*) from intermediate.int_contacts__call_legs where contact_id = 'telephony:' || $1),"
            " (select count(*) from intermediate.int_contacts__calls where contact_id = 'telephony:' || $1)", [first]
        ).fetchone()


def correct_records(raw: Path, keep: set[str]) -> None:
    """RECORDS_CORRECTED's contact records re-sent: the first leg of a transfer (not in ``keep``) and the second
    single-leg call left out, the issue type of the first single-leg call changed."""
    path = raw / "telephony" / "contact_records" / f"{RECORDS_CORRECTED.isoformat()}.jsonl"
    records = records_of(path)
    previous = {record.get("PreviousContactId") for record in records}
    first_leg = next(r["ContactId"] for r in records if r["ContactId"] in previous and not r.get("PreviousContactId")
                     and r["ContactId"] not in keep)
    singles = [r for r in records if r["ContactId"] not in previous and not r.get("PreviousContactId")]
    singles[0]["Attributes"] = {**(singles[0].get("Attributes") or {}), "issue_type": "billing_dispute"}
    left_out = {first_leg, singles[1]["ContactId"]}
    write_records(path, [r for r in records if r["ContactId"] not in left_out])


def legs_computed(warehouse: Path) -> tuple[int, int]:
    """(rows of int_contacts__call_legs, rows the latest build computed)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*), count(*) filter (where _chain_built_at = (select max(_chain_built_at) "
            "from intermediate.int_contacts__call_legs)) from intermediate.int_contacts__call_legs").fetchone()


def late_leg_outcome(warehouse: Path, middle: str, after: str) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*), bool_or(leg_id = $2), "
            "(select count(*) from intermediate.int_contacts__calls where contact_id = 'telephony:' || $2) "
            "from intermediate.int_contacts__call_legs where contact_id = "
            "(select contact_id from intermediate.int_contacts__call_legs where leg_id = $1)", [middle, after]
        ).fetchone()


def customers_exported_once(sample: Path) -> dict[str, tuple[Path, dict[str, str]]]:
    """Real customers (no @example.test e-mail) whose record the sample exports once: id -> (file, record)."""
    exported: dict[str, list[tuple[Path, dict[str, str]]]] = {}
    for path in sorted((sample / "crm" / "customers").glob("*.csv")):
        for row in read_csv(path)[1]:
            exported.setdefault(row["customer_id"], []).append((path, row))
    return {customer_id: records[0] for customer_id, records in exported.items()
            if len(records) == 1 and not records[0][1]["email"].endswith("@example.test")}


def hold_back_customer(sample: Path) -> str:
    """A customer with orders up to CUT whose record is exported only once: the record leaves its file and is
    exported with LATE_CUSTOMER instead. Returns the customer id."""
    ordered = {row[0] for row in query_orders(
        sample / "crm" / "orders",
        f"select customer_id from orders where filename <= '{sample}/crm/orders/{CUT.isoformat()}.parquet'")}
    once = customers_exported_once(sample)
    customer_id = min(c for c, (path, _) in once.items() if c in ordered and export_day(path) < CUT)
    path, record = once[customer_id]
    fields, rows = read_csv(path)
    write_csv(path, fields, [row for row in rows if row["customer_id"] != customer_id], encoding_of(path))
    append_csv(sample / "crm" / "customers" / f"{LATE_CUSTOMER.isoformat()}.csv", record)
    return customer_id


def correct_orders(raw: Path) -> str:
    """ORDERS_CORRECTED[0]'s orders file re-sent without one paid order it alone exported; returns the order id."""
    path = raw / "crm" / "orders" / f"{ORDERS_CORRECTED[0].isoformat()}.parquet"
    order_id = paid_order_exported_once(raw / "crm" / "orders", ORDERS_CORRECTED[0])
    with duckdb.connect() as con:
        con.execute(f"create table orders as select * from read_parquet('{path}') where order_id <> ?", [order_id])
        con.execute(f"copy orders to '{path}' (format parquet)")
    return order_id


def change_crm(sample: Path, raw: Path, removed_order: str, late_customer: str) -> CrmChanges:
    """With CRM_CHANGES' exports: a paid order re-sent under another customer, a paid order re-sent refunded, and a
    customer with orders re-sent with an @example.test e-mail (customers whose record is exported once)."""
    orders = raw / "crm" / "orders"
    once = customers_exported_once(sample)
    # customers with one order, paid, exported once up to CUT (no later export changes it back)
    candidates = query_orders(sample / "crm" / "orders", f"""
        select customer_id, min(order_id) from orders
        where customer_id <> '{late_customer}' group by customer_id
        having count(*) = 1 and bool_and(status = 'paid') and min(order_id) <> '{removed_order}'
           and max(filename) <= '{sample}/crm/orders/{CUT.isoformat()}.parquet'
        order by customer_id""")
    (moved_from, moved), (moved_to, _), (test_customer, _), (_, refunded) = [
        (customer_id, order_id) for customer_id, order_id in candidates if customer_id in once][:4]
    assert len({moved_from, moved_to, test_customer, late_customer}) == 4
    rows = query_orders(orders, f"""
        select order_id, case when order_id = '{moved}' then '{moved_to}' else customer_id end, ordered_at,
               amount, currency, case when order_id = '{refunded}' then 'refunded' else status end
        from orders where order_id in ('{moved}', '{refunded}') and status = 'paid'""")
    assert len(rows) == 2, rows
    append_orders(orders / f"{CRM_CHANGES.isoformat()}.parquet", rows)
    record = once[test_customer][1]
    append_csv(raw / "crm" / "customers" / f"{CRM_CHANGES.isoformat()}.csv",
               {**record, "email": "qa.team@example.test"})
    return CrmChanges(removed_order=removed_order, moved_order=moved, moved_to=moved_to, refunded_order=refunded,
                      test_customer=test_customer, late_customer=late_customer)


def crm_outcome(warehouse: Path, changes: CrmChanges) -> dict[str, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        def one(sql: str, *params: object) -> object:
            return con.execute(sql, list(params)).fetchall()
        return {
            "removed_order": one("select * from marts.fct_orders where order_id = ?", changes.removed_order),
            "moved_order": one("select customer_id from marts.fct_orders where order_id = ?", changes.moved_order),
            "refunded_order": one("select status, is_paid from marts.fct_orders where order_id = ?",
                                  changes.refunded_order),
            "test_customer": one("select (select count(*) from marts.dim_customers where customer_id = $1), "
                                 "(select count(*) from marts.fct_orders where customer_id = $1)",
                                 changes.test_customer),
            "late_customer": one("select order_count, has_orders from marts.dim_customers where customer_id = ?",
                                 changes.late_customer),
            "late_customer_orders": one("select distinct is_known_customer from marts.fct_orders where customer_id = ?",
                                        changes.late_customer),
        }


def encoding_of(path: Path) -> str:
    """UTF-8, or GB18030 (the sample writes some help-desk and survey exports in it, as Chinese systems do)."""
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding=encoding_of(path)) as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def append_csv(path: Path, row: dict[str, str]) -> None:
    """``row`` added at the end of the CSV export, written back in the file's own encoding."""
    encoding = encoding_of(path)
    fields, rows = read_csv(path)
    write_csv(path, fields, [*rows, row], encoding)


def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]], encoding: str) -> None:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def keep_solved(sample: Path) -> str:
    """A ticket solved on REOPENED[0] stays solved instead of closing 4 days later (the sample's auto-close; Zendesk
    lets an account close solved tickets up to 28 days later, and a closed ticket cannot be reopened): its closed
    rows leave the ticket exports and field history. Returns its id."""
    solved_day = REOPENED[0]
    _, rows = read_csv(sample / "helpdesk" / "ticket" / f"{solved_day.isoformat()}.csv")
    last = {row["id"]: row for row in rows}
    ticket_id = next(row["id"] for row in last.values()
                     if row["status"] == "solved" and row["updated_at"].startswith(solved_day.isoformat()))
    for entity, key, status in (("ticket", "id", "status"), ("ticket_field_history", "ticket_id", "value")):
        for path in sorted((sample / "helpdesk" / entity).glob("*.csv")):
            encoding = encoding_of(path)
            fields, rows = read_csv(path)
            kept = [row for row in rows if not (row[key] == ticket_id and row[status] == "closed")]
            if len(kept) < len(rows):
                write_csv(path, fields, kept, encoding)
    return ticket_id


def reopen_ticket(raw: Path, ticket_id: str) -> None:
    """The solved ticket comes back open at 09:00 UTC of REOPENED[1], 10 days after it was solved: its row re-sent in
    that day's ticket export, the status change in that day's field history (as Zendesk exports them)."""
    solved_day, reopen_day = REOPENED
    _, rows = read_csv(raw / "helpdesk" / "ticket" / f"{solved_day.isoformat()}.csv")
    ticket = [row for row in rows if row["id"] == ticket_id][-1]
    reopened_at = f"{reopen_day.isoformat()}T09:00:00Z"
    append_csv(raw / "helpdesk" / "ticket" / f"{reopen_day.isoformat()}.csv",
               {**ticket, "status": "open", "updated_at": reopened_at})
    append_csv(raw / "helpdesk" / "ticket_field_history" / f"{reopen_day.isoformat()}.csv",
               {"ticket_id": ticket_id, "field_name": "status", "value": "open", "updated": reopened_at,
                "user_id": ticket["requester_id"]})


def answer_late(sample: Path, raw: Path) -> str:
    """A survey of LATE_ANSWER[0] that nobody answered in the sample is answered at 08:00 UTC of LATE_ANSWER[1] (its
    row, answered, in that day's survey export)."""
    sent_day, answered_day = LATE_ANSWER
    answered = {row["response_id"] for path in (sample / "survey" / "responses").glob("*.csv")
                for row in read_csv(path)[1] if row["responded_at"]}
    _, rows = read_csv(raw / "survey" / "responses" / f"{sent_day.isoformat()}.csv")
    survey = next(row for row in rows if not row["responded_at"] and row["response_id"] not in answered)
    append_csv(raw / "survey" / "responses" / f"{answered_day.isoformat()}.csv",
               {**survey, "responded_at": f"{answered_day.isoformat()}T08:00:00Z", "csat": "2", "nps": "3",
                "ces": "2", "comment": ""})
    return survey["response_id"]


def hide_new_hire(sample: Path) -> None:
    """Leave the NEW_HIRE agent out of every roster file before their first roster day."""
    agent_id, first_day = NEW_HIRE
    for path in sorted((sample / "workforce" / "agents").glob("*.csv")):
        if export_day(path) >= first_day:
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = [row for row in reader if row["agent_id"] != agent_id]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


def run_dbt(base: Path, warehouse: Path, *args: str, artifacts: bool = False) -> None:
    """``dbt <args>`` in a child process; its manifest.json and run_results.json only with ``artifacts``
    (``built_models`` reads the last daily build's)."""
    env = {
        **os.environ, "CCW_DATA_DIR": str(base), "CCW_BUILD_WAREHOUSE": str(warehouse),
        "DBT_LOG_PATH": str(base / "logs"),
        "DBT_PROFILES_DIR": str(ROOT), "DBT_PROJECT_DIR": str(ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **({} if artifacts else NO_JSON_ARTIFACTS),
    }
    env.pop("CCW_PII_SALT", None)
    child = subprocess.run([sys.executable, "-c", RUN_SCRIPT, *args], env=env, capture_output=True, text=True,
                           timeout=900, check=False)
    assert child.returncode == 0, child.stdout[-5000:] + child.stderr[-5000:]


def publish_build(warehouse: Path, serving: Path) -> tuple[bool, int, int]:
    """Publish the build's marts onto ``serving`` (without the semantic layer's exports: the selection builds only
    some marts); returns (started from the previous file, marts kept, marts merged)."""
    result = publish(warehouse, serving, semantic_manifest=serving.parent / "no_semantic_manifest.json")
    return result.from_previous, result.tables_kept, result.tables_merged


def served_differences(warehouse: Path, serving: Path) -> dict[str, tuple]:
    """The marts whose rows differ, exactly (row count and hash sum), between the build and the serving file."""
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        con.execute(f"attach '{serving}' as served (read_only)")
        sides = {}
        for catalog in ("built", "served"):
            tables = con.execute("select table_name from information_schema.tables where table_catalog = ? "
                                 "and table_schema = 'marts'", [catalog]).fetchall()
            sides[catalog] = {t: con.execute(f"select count(*), sum(hash(t)::hugeint) from {catalog}.marts.{t} as t")
                              .fetchone() for (t,) in tables}
    return {t: (sides["served"].get(t), sides["built"].get(t)) for t in set(sides["built"]) | set(sides["served"])
            if sides["served"].get(t) != sides["built"].get(t)}


def built_models(warehouse: Path) -> list[tuple[str, str]]:
    """(schema, table) of every model the selection built (from the run's manifest)."""
    manifest = json.loads((dbt_target_path(warehouse) / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((dbt_target_path(warehouse) / "run_results.json").read_text(encoding="utf-8"))
    built = {r["unique_id"] for r in results["results"] if r["unique_id"].startswith("model.")}
    return sorted((manifest["nodes"][u]["schema"], manifest["nodes"][u]["alias"]) for u in built)


def mark_rows(warehouse: Path) -> int:
    """Mark every row of fct_agent_states (state 'UNTOUCHED'), fct_orders (status) and dim_customers (segment): a row
    a build recomputes loses the mark."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_orders set status = 'UNTOUCHED'")
        con.execute("update marts.dim_customers set segment = 'UNTOUCHED'")
        return con.execute("update marts.fct_agent_states set state = 'UNTOUCHED'").fetchone()[0]


def untouched_crm_rows(warehouse: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """(rows, rows still marked) of fct_orders and of dim_customers."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return tuple(con.execute(  # type: ignore[return-value]
            f"select count(*), count(*) filter (where {column} = 'UNTOUCHED') from marts.{table}").fetchone()
            for table, column in (("fct_orders", "status"), ("dim_customers", "segment")))


def untouched_rows(warehouse: Path) -> tuple[int, int]:
    """(rows of fct_agent_states, rows still marked)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*), count(*) filter (where state = 'UNTOUCHED') from marts.fct_agent_states"
        ).fetchone()


def fingerprints(warehouse: Path, tables: list[tuple[str, str]]) -> dict[str, tuple]:
    """Row count and order-independent hash of every table's exact values (bookkeeping columns left out)."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, table],
            ).fetchall()
            values = ", ".join(f'"{c}"' for c, _ in columns if c not in BOOKKEEPING)
            out[f"{schema}.{table}"] = con.execute(
                f"select count(*), sum(hash({values})::hugeint) from {schema}.{table}"
            ).fetchone()
    return out


@built_in_background("incremental_history")
def build_incremental_history_in_child(base: Path) -> Histories:
    return in_own_process(build_incremental_history, base)


def build_incremental_history(base: Path) -> Histories:
    sample, data = base / "sample", base / "data"
    raw, warehouse = data / "raw", data / "build" / "warehouse.duckdb"
    generate(GeneratorConfig.preset("tiny"), sample)
    hide_new_hire(sample)
    late_customer, removed_order, crm_changes = hold_back_customer(sample), "", None
    middle_leg, next_leg = hold_back_middle_leg(sample)
    test_chain, first_leg_runs = split_test_chain(sample), []
    select = ["--select", *SELECTION, "--resource-type", "model", "seed"]
    # every build runs on the same file path, so that dbt parses the project once (partial parsing)
    before_last = base / "before_last.duckdb"
    ticket_id, response_id = keep_solved(sample), ""
    serving, publishes = base / "serving" / "warehouse.duckdb", []
    for day in [CUT, *DAILY]:
        deliver(sample, raw, day)
        if day == CORRECTED:
            correct(raw)
        if day == ORDERS_CORRECTED[1]:
            removed_order = correct_orders(raw)
        if day == CRM_CHANGES:
            crm_changes = change_crm(sample, raw, removed_order, late_customer)
        if day == LATE_LEG:
            correct_records(raw, {middle_leg, next_leg})
        if day == TEST_LEG_RESENT:
            resend_without(raw, sample, test_chain[1])
        if day == REOPENED[1]:
            reopen_ticket(raw, ticket_id)
        if day == LATE_ANSWER[1]:
            response_id = answer_late(sample, raw)
        if day == DAILY[-1]:
            # the probe: the last daily run on a copy whose fct_agent_states rows are all marked first; then the
            # copy taken before it comes back and the last day is built for real
            shutil.copy2(warehouse, before_last)
            mark_rows(warehouse)
            land_all(raw, warehouse, data / "quarantine")
            run_dbt(data, warehouse, "build", *select)
            probe, crm_probe = untouched_rows(warehouse), untouched_crm_rows(warehouse)
            shutil.copy2(before_last, warehouse)
        land_all(raw, warehouse, data / "quarantine")
        run_dbt(data, warehouse, "build", *select, artifacts=day == DAILY[-1])
        if day == LATE_LEG:
            legs_probe, late_leg = legs_computed(warehouse), late_leg_outcome(warehouse, middle_leg, next_leg)
        if day in (CUT, TEST_LEG_RESENT):
            first_leg_runs.append(first_leg_outcome(warehouse, test_chain[0]))
        publishes.append(publish_build(warehouse, serving))
    tables = built_models(warehouse)
    incremental = fingerprints(warehouse, tables)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reopened = con.execute("select status, reopen_count, solves from marts.fct_tickets where ticket_id = ?",
                               [ticket_id]).fetchone()
        late_answer = con.execute("select responded_at, csat, contact_id from marts.fct_survey_responses "
                                  "where response_id = ?", [response_id]).fetchone()
    served = served_differences(warehouse, serving)
    assert crm_changes is not None
    crm = {**crm_outcome(warehouse, crm_changes), "changes": crm_changes}
    first_leg = (*first_leg_runs, first_leg_outcome(warehouse, test_chain[0]))
    run_dbt(data, warehouse, "build", "--full-refresh", *select)
    return Histories(incremental=incremental, full=fingerprints(warehouse, tables), probe=probe, reopened=reopened,
                     late_answer=late_answer, crm_probe=crm_probe, crm=crm, legs_probe=legs_probe,
                     late_leg=late_leg, first_leg=first_leg, publishes=publishes,
                     served_differences=served)


@pytest.fixture(scope="module")
def incremental_history(tmp_path_factory: pytest.TempPathFactory) -> Histories:
    """Named as its background set-up, so that it starts at session start (conftest.built_in_background)."""
    return background_result("incremental_history", tmp_path_factory)


@pytest.fixture(scope="module")
def histories(incremental_history: Histories) -> Histories:
    return incremental_history


@pytest.mark.slow
def test_every_model_equals_a_full_rebuild(histories: Histories) -> None:
    assert "intermediate.int_agents__state_segments" in histories.incremental
    assert "marts.fct_agent_states" in histories.incremental
    assert {"marts.fct_schedules", "intermediate.int_agents__daily"} <= set(histories.incremental)
    assert {"marts.fct_tickets", "marts.fct_survey_responses", "staging.stg_helpdesk__tickets"} <= set(
        histories.incremental)
    different = {
        table: (value, histories.full[table])
        for table, value in histories.incremental.items() if value != histories.full[table]
    }
    assert not different, different


@pytest.mark.slow
def test_a_ticket_reopened_10_days_after_solving_and_a_survey_answered_3_days_late_reach_the_facts(
        histories: Histories) -> None:
    # the ticket: solved once, then the re-sent row and the field history say open: one reopen, open now
    assert histories.reopened is not None
    status, reopen_count, solves = histories.reopened
    assert (status, reopen_count) == ("open", 1), histories.reopened
    assert solves >= 1
    # the survey: answered at 08:00 UTC three days after it was sent, CSAT 2, still joined to its contact
    assert histories.late_answer is not None
    responded_at, csat, contact_id = histories.late_answer
    assert (responded_at, csat) == (datetime(2026, 10, 25, 8, 0), 2), histories.late_answer
    assert contact_id is not None


@pytest.mark.slow
def test_a_daily_run_recomputes_its_window_not_the_history(histories: Histories) -> None:
    # the last daily run lands one export day (DAILY[2]) and the new hire's first roster day: it recomputes the days
    # from DAILY[2] - 7 (late_record_days) and every day of the new hire, and leaves the rest of the table as it was
    rows, untouched = histories.probe
    assert rows == histories.full["marts.fct_agent_states"][0]
    assert 0 < untouched < rows, histories.probe
    assert untouched > rows / 3, histories.probe


@pytest.mark.slow
def test_crm_changes_reach_the_changed_key_marts(histories: Histories) -> None:
    """fct_orders and dim_customers recompute the orders and customers a landing changed (changed_keys.sql): each
    change of the CRM scenario has its documented outcome after the daily runs (and the fingerprints above equal a
    full rebuild's)."""
    crm, changes = histories.crm, histories.crm["changes"]
    assert crm["removed_order"] == []  # the re-sent file no longer has it: gone
    assert crm["moved_order"] == [(changes.moved_to,)]
    assert crm["refunded_order"] == [("refunded", False)]
    assert crm["test_customer"] == [(0, 0)]  # a test account now: no customer row, no orders
    # the customer whose record came after their orders: known now, with their orders counted
    (order_count, has_orders), = crm["late_customer"]
    assert has_orders and order_count >= 1
    assert crm["late_customer_orders"] == [(True,)]


@pytest.mark.slow
def test_a_daily_run_recomputes_the_changed_customers_not_all(histories: Histories) -> None:
    # the last daily run lands one day's orders and customers (and the late customer's record): it recomputes their
    # orders and customers and keeps the rest of fct_orders and dim_customers as they were
    for rows, untouched in histories.crm_probe:
        assert 0 < untouched < rows, histories.crm_probe
        assert untouched > rows / 2, histories.crm_probe


@pytest.mark.slow
def test_a_late_middle_leg_joins_its_chain_and_the_run_computes_the_touched_chains_only(histories: Histories) -> None:
    # the late middle leg joins the chain before it and the one after it: one contact of three legs, and the contact
    # its next leg started alone until then is gone
    assert histories.late_leg == (3, True, 0), histories.late_leg
    rows, computed = histories.legs_probe
    assert 0 < computed < rows / 2, histories.legs_probe


@pytest.mark.slow
def test_a_leg_left_out_with_its_test_account_chain_comes_back_when_the_re_sent_file_drops_that_chain(
        histories: Histories) -> None:
    # its chain was left out (a test-account leg); the re-sent file no longer has that leg: a contact of one leg
    assert histories.first_leg == ((0, 0), (1, 1), (1, 1)), histories.first_leg


@pytest.mark.slow
def test_the_daily_publishes_serve_the_build_row_for_row(histories: Histories) -> None:
    """Each daily build is published onto the file the day before's publish wrote, writing only the marts and rows
    that changed (ccw.publish.changes); after the late file, the corrected re-sent files, the reopened ticket and
    the late answer, the served marts hold exactly the build's rows."""
    first, *daily = histories.publishes
    assert first == (False, 0, 0), histories.publishes  # the first publish: no serving file yet
    assert all(from_previous for from_previous, _, _ in daily), histories.publishes
    assert sum(merged for _, _, merged in daily) > 0, histories.publishes  # some mart was merged by row
    assert histories.served_differences == {}
