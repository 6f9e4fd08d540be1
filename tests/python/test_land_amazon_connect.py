"""Amazon Connect as a real centre exports it (issue 14): contact trace records as Kinesis Data Firehose writes
them, and the real agent event stream.

The records are hand-written in AWS's published data models (``tests/fixtures/amazon_connect/``, README there); the
test writes them the way Firehose delivers them to S3: JSON objects one after another with **no** delimiter, gzip or
not, in Firehose's ``YYYY/MM/DD/HH/<object>`` folders, and one day as a flat ``<YYYY-MM-DD>.jsonl.gz`` file. They land
(schema drift kept in ``_extra`` with warnings), pass the raw gates, and the two telephony staging models (built with
dbt into a scratch build file) give the values worked out by hand below.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccw.exports import entity
from ccw.land import LandingReport, land_all
from ccw.land.paths import describe, extensions

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "amazon_connect"
DBT = Path(sys.executable).with_name("dbt")
TODAY = date(2026, 12, 3)

CTR_A, CTR_B, CTR_C, CTR_D = (f"5f1c0a11-aaaa-4bbb-8ccc-00000000000{n}" for n in range(1, 5))
STREAM_OBJECT = "ccw-ctr-stream-1-2026-11-02-09-05-00-3f0c9a1e-2b7d-4c55-9e0a-7d1f0c2b9a10"

#: where the test puts each fixture: (relative path under the raw root, fixture, how Firehose wrote it)
CTR_FILES = {
    f"telephony/contact_records/2026/11/02/09/{STREAM_OBJECT}.gz": ("ctr_2026-11-02_09.json", "concatenated", True),
    "telephony/contact_records/2026/11/02/10/ccw-ctr-stream-1-2026-11-02-10-00-00-8e2f4b6a-1c3d-4e5f-a6b7-c8d9e0f1a2b3":
        ("ctr_2026-11-02_10.json", "concatenated", False),
    "telephony/contact_records/2026-11-03.jsonl.gz": ("ctr_2026-11-03.json", "lines", True),
}
EVENTS_FILE = ("telephony/agent_events/2026/11/02/09/"
               "ccw-agent-events-1-2026-11-02-09-00-00-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0.gz")
#: Kinesis delivers at least once: the fixture's second copy of e-03 comes again in the next batch
REDELIVERED_FILE = ("telephony/agent_events/2026/11/02/10/"
                    "ccw-agent-events-1-2026-11-02-10-00-00-1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1.gz")
FLAT_EVENTS_FILE = "telephony/agent_events/2026-11-03.jsonl"


def fixture(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def firehose_bytes(records: list[dict], how: str) -> bytes:
    """Records as Firehose concatenates them (no delimiter), or one per line."""
    compact = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records]
    return ("".join(compact) if how == "concatenated" else "".join(c + "\n" for c in compact)).encode("utf-8")


def write(raw: Path, relative: str, data: bytes, compress: bool) -> Path:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


# ------------------------------------------------------------------------------------------------------ the paths
def test_paths_take_gzip_day_files_and_firehose_folders() -> None:
    raw = Path("/raw")

    def judge(relative: str):
        return describe(raw / relative, raw, TODAY)

    for ok in ["telephony/contact_records/2026-11-03.jsonl.gz", "telephony/contact_records/2026-11-03.json.gz",
               "telephony/contact_records/2026-11-03.jsonl", "helpdesk/ticket/2026-11-03.csv.gz",
               f"telephony/contact_records/2026/11/02/09/{STREAM_OBJECT}.gz",
               f"telephony/contact_records/2026/11/02/09/{STREAM_OBJECT}",
               "telephony/agent_events/2026/11/02/obj-1.gz"]:
        assert judge(ok).problem is None, ok
    firehose = judge(f"telephony/contact_records/2026/11/02/23/{STREAM_OBJECT}.gz")
    assert firehose.export_date == date(2026, 11, 2) and firehose.table == "telephony__contact_records"

    refused = {
        "crm/orders/2026-11-03.parquet.gz": "should have the extension .parquet",
        "helpdesk/ticket/2026-11-03.csv.gz.bak": "should have the extension .csv or .csv.gz",
        "helpdesk/ticket/2026-11-03.jsonl.gz": "should have the extension .csv or .csv.gz",
        "telephony/contact_records/2026-11-03.gz": "should have the extension .jsonl or .jsonl.gz or .json or .json.gz",
        "telephony/contact_records/2026/11/02/24/obj.gz": "misplaced file",  # no hour 24
        "telephony/contact_records/2026/02/30/09/obj.gz": "misplaced file",  # no 30 February
        "telephony/contact_records/2026/11/2/09/obj.gz": "misplaced file",  # Firehose writes two digits
        "telephony/contact_records/2026/11/02/09/obj (1).gz": "not a Firehose object name",
        "helpdesk/ticket/2026/11/02/09/obj.gz": "only at <system>/<entity>/<YYYY-MM-DD>.csv",
        "telephony/contact_records/2099/01/01/00/obj.gz": "in the future",
        "telephony/contact_records/2026/11/02/09/10/obj.gz": "misplaced file",
    }
    for relative, reason in refused.items():
        problem = judge(relative).problem
        assert problem is not None and reason in problem, (relative, problem)
    assert extensions(entity("crm", "orders")) == ("parquet",)


# ------------------------------------------------------------------------------------------- land, gate, stage
class ConnectCentre:
    """A scratch data folder with the Amazon Connect fixtures landed, gated and staged once for the module."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.raw = data_dir / "raw"
        self.build = data_dir / "build" / "warehouse.duckdb"
        self.quarantine = data_dir / "quarantine"
        self.build.parent.mkdir(parents=True)
        self.report: LandingReport | None = None
        self.gates = None
        self.dbt: subprocess.CompletedProcess[str] | None = None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.build), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> ConnectCentre:
    c = ConnectCentre(tmp_path_factory.mktemp("amazon_connect"))
    for relative, (name, how, compress) in CTR_FILES.items():
        write(c.raw, relative, firehose_bytes(fixture(name), how), compress)
    events = fixture("agent_events_2026-11-02.json")
    assert events[2] == events[3], "the fixture's e-03 is delivered twice"
    write(c.raw, EVENTS_FILE, firehose_bytes(events[:3] + events[4:], "concatenated"), True)
    write(c.raw, REDELIVERED_FILE, firehose_bytes(events[3:4], "concatenated"), True)
    flat = {"EventId": "S-1", "Username": " li.na ", "EventTimestamp": "2026-11-03T01:00:00Z", "State": "available"}
    write(c.raw, FLAT_EVENTS_FILE, firehose_bytes([flat], "lines"), False)
    c.report = land_all(c.raw, c.build, quarantine_dir=c.quarantine)

    from ccw.quality import run_raw_gates

    c.gates = run_raw_gates(c.build, c.data_dir)
    env = {**os.environ, "CCW_BUILD_WAREHOUSE": str(c.build), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("CCW_PII_SALT", None)
    c.dbt = subprocess.run(
        [str(DBT), "build", "--select", "stg_telephony__contact_records", "stg_telephony__agent_events",
         "--indirect-selection", "cautious",  # leave out tests that also read models not built here
         "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
         "--target-path", str(c.data_dir / "target"), "--log-path", str(c.data_dir / "logs")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    return c


def test_firehose_batches_land_with_warnings_only(centre: ConnectCentre) -> None:
    report = centre.report
    assert report is not None and report.ok, report.render()
    landed = {f.path: f.rows for f in report.landed}
    assert landed == {
        **{relative: len(fixture(name)) for relative, (name, _, _) in CTR_FILES.items()},
        EVENTS_FILE: 15,
        REDELIVERED_FILE: 1,
        FLAT_EVENTS_FILE: 1,
    }
    assert centre.query("select distinct _export_date from raw.telephony__contact_records "
                        "where _source_file like '%/2026/11/02/%'") == [(date(2026, 11, 2),)], "the day of the folders"
    # the hour-10 batch carries fields the registry does not know: kept in _extra, named in a warning
    drift = " ".join(w for f in report.landed for w in f.warnings)
    warned = {f.path: f.warnings for f in report.landed}
    assert warned[EVENTS_FILE] == (), "the real stream carries Username and State in its snapshot: nothing missing"
    assert warned[FLAT_EVENTS_FILE] == (), "the sample's flat event lacks nothing it needs"
    assert "Customer" in drift and "Agent.AgentInitiatedHoldDuration" in drift, drift
    assert "Attributes." not in drift, "a flow's own contact attributes are expected: kept in _extra, no warning"
    a_v2 = centre.query('select _extra, "Agent".AfterContactWorkDuration, "Agent".RoutingProfile.Name, '
                        '"Queue".Duration, AgentConnectionAttempts, "SystemEndpoint".Address '
                        "from raw.telephony__contact_records where ContactId = ? and LastUpdateTimestamp like "
                        "'%09:30:00Z'", [CTR_A])
    assert len(a_v2) == 1
    extra, acw, profile, queue_wait, attempts, dialled = a_v2[0]
    kept = json.loads(extra)
    assert kept["Customer"] == {"Capabilities": {"Video": "SEND"}}
    assert kept["Agent"]["AgentInitiatedHoldDuration"] == 25
    assert kept["Attributes"]["wrapup_code"] == "REFUND" and kept["Attributes"]["language"] == "zh-CN"
    # numbers in the real records land as their text (type drift), nested objects as the registry declares
    assert (acw, profile, queue_wait, attempts, dialled) == ("40", "Billing", "30", "1", "+862150000000")
    assert centre.query("select count(*) from raw.telephony__contact_records where \"Agent\" is null") == [(2,)]
    assert centre.query("select count(*) from raw._quarantine") == [(0,)]


def test_raw_gates_pass_without_a_critical_finding(centre: ConnectCentre) -> None:
    gates = centre.gates
    assert gates is not None and gates.ok, gates.render()
    assert not gates.failures
    assert centre.query("select count(*) from quality.quarantined_rows") == [(0,)]


def _staged(centre: ConnectCentre, model: str, key: str, columns: list[str]) -> dict[str, dict]:
    assert centre.dbt is not None and centre.dbt.returncode == 0, centre.dbt.stdout[-6000:]
    rows = centre.query(f"select {key}, {', '.join(columns)} from staging.{model} order by {key}")
    return {r[0]: dict(zip(columns, r[1:], strict=True)) for r in rows}


def test_contact_records_stage_to_the_values_worked_out_by_hand(centre: ConnectCentre) -> None:
    columns = ["initiation_method", "previous_contact_id", "next_contact_id", "queue_ref", "queue_seconds",
               "agent_username", "agent_interaction_seconds", "customer_hold_seconds", "number_of_holds",
               "acw_seconds", "customer_id", "issue_type", "is_ivr_only", "versions_merged",
               "has_invalid_duration", "customer_phone_prefix", "disconnect_reason"]
    staged = _staged(centre, "stg_telephony__contact_records", "contact_id", columns)
    assert set(staged) == {CTR_A, CTR_B, CTR_C, CTR_D}
    # A: answered after 30 s in CN-Billing, 215 s talk, 2 holds of 25 s, 40 s ACW; re-delivered at 09:30 after
    # update-contact-attributes changed the issue type: the newer record wins, both versions counted
    assert staged[CTR_A] == {
        "initiation_method": "INBOUND", "previous_contact_id": None, "next_contact_id": CTR_B,
        "queue_ref": "CN-Billing", "queue_seconds": 30, "agent_username": "li.na", "agent_interaction_seconds": 215,
        "customer_hold_seconds": 25, "number_of_holds": 2, "acw_seconds": 40, "customer_id": "C0000042",
        "issue_type": "refund_request", "is_ivr_only": False, "versions_merged": 2, "has_invalid_duration": False,
        "customer_phone_prefix": "8613", "disconnect_reason": "AGENT_DISCONNECT",
    }
    # B: the transfer leg; Connect leaves AfterContactWorkDuration out when there was none: 0 s
    assert staged[CTR_B] == {
        "initiation_method": "TRANSFER", "previous_contact_id": CTR_A, "next_contact_id": None,
        "queue_ref": "INTL-Support", "queue_seconds": 10, "agent_username": "wang.wei",
        "agent_interaction_seconds": 288, "customer_hold_seconds": 0, "number_of_holds": 0, "acw_seconds": 0,
        "customer_id": "C0000042", "issue_type": "billing_question", "is_ivr_only": False, "versions_merged": 1,
        "has_invalid_duration": False, "customer_phone_prefix": "8613", "disconnect_reason": "CUSTOMER_DISCONNECT",
    }
    # C: IVR only, Agent and Queue null; D: abandoned after 95 s in queue, empty customer id
    assert {k: staged[CTR_C][k] for k in ("is_ivr_only", "queue_ref", "agent_username", "acw_seconds",
                                           "customer_id", "customer_phone_prefix")} == {
        "is_ivr_only": True, "queue_ref": None, "agent_username": None, "acw_seconds": None, "customer_id": None,
        "customer_phone_prefix": "4477",
    }
    assert {k: staged[CTR_D][k] for k in ("is_ivr_only", "queue_seconds", "agent_username", "customer_id",
                                           "issue_type", "customer_phone_prefix")} == {
        "is_ivr_only": False, "queue_seconds": 95, "agent_username": None, "customer_id": None,
        "issue_type": "order_status", "customer_phone_prefix": "8613",
    }


def test_contact_records_hash_the_caller_of_a_transfer_once(centre: ConnectCentre) -> None:
    hashes = centre.query("select contact_id, customer_phone_hash from staging.stg_telephony__contact_records "
                          "where contact_id in (?, ?, ?) order by contact_id", [CTR_A, CTR_B, CTR_D])
    assert hashes[0][1] is not None and hashes[0][1] == hashes[1][1] != hashes[2][1]


def test_agent_events_map_the_real_stream_onto_the_canonical_states(centre: ConnectCentre) -> None:
    staged = _staged(centre, "stg_telephony__agent_events", "event_id",
                     ["agent_username", "event_at", "state", "event_type", "agent_status_name", "is_on_hold",
                      "versions_merged"])
    # worked out by hand from the fixture: heart beats (e-03 twice, e-04, e-15 after logout), a ringing contact that
    # leaves the agent available (e-05) and a routing-profile change at lunch (e-13) carry no new state
    expected = {
        "e-01": ("LOGIN", "LOGIN", "Offline", False),
        "e-02": ("AVAILABLE", "STATE_CHANGE", "Available", False),
        "e-06": ("ON_CONTACT", "STATE_CHANGE", "Available", False),
        "e-07": ("ON_CONTACT", "STATE_CHANGE", "Available", True),
        "e-08": ("ON_CONTACT", "STATE_CHANGE", "Available", False),
        "e-09": ("AFTER_CONTACT_WORK", "STATE_CHANGE", "Available", False),
        "e-10": ("AVAILABLE", "STATE_CHANGE", "Available", False),
        "e-11": ("NOT_READY", "STATE_CHANGE", "Coaching", False),
        "e-12": ("LUNCH", "STATE_CHANGE", "Lunch", False),
        "e-14": ("LOGOUT", "LOGOUT", "Offline", False),
        "S-1": ("AVAILABLE", None, None, False),
    }
    assert {k: (v["state"], v["event_type"], v["agent_status_name"], v["is_on_hold"]) for k, v in staged.items()} \
        == expected
    assert {v["agent_username"] for v in staged.values()} == {"li.na"}
    assert str(staged["e-09"]["event_at"]) == "2026-11-02 09:05:00"
    assert all(v["versions_merged"] == 1 for v in staged.values()), "e-03, the one re-delivered, is no state"
    on_contact = [k for k, v in staged.items() if v["state"] in ("ON_CONTACT", "AFTER_CONTACT_WORK")]
    assert on_contact == ["e-06", "e-07", "e-08", "e-09"]


def test_agent_names_never_pass_staging(centre: ConnectCentre) -> None:
    assert centre.query("select count(*) from raw.telephony__agent_events "
                        "where CurrentAgentSnapshot->>'$.Configuration.FirstName' = 'Na'") == [(16,)]
    _staged(centre, "stg_telephony__agent_events", "event_id", ["state"])  # the build ran
    with duckdb.connect(str(centre.build), read_only=True) as con:
        for model in ("stg_telephony__agent_events", "stg_telephony__contact_records"):
            values = [str(v) for row in con.execute(f"select * from staging.{model}").fetchall() for v in row]
            assert values, model
            assert not [v for v in values if v in ("Na", "Li") or "FirstName" in v or "LastName" in v], model


# ------------------------------------------------------------------------------------------- bad gzip, CSV gzip
def test_a_broken_gzip_is_quarantined_with_its_original_bytes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    good = gzip.compress(firehose_bytes(fixture("ctr_2026-11-03.json"), "lines"), mtime=0)
    truncated = write(raw, "telephony/contact_records/2026-11-03.jsonl.gz", good[: len(good) // 2], False)
    not_gzip = write(raw, "telephony/contact_records/2026/11/02/09/obj.gz", b"\x1f\x8bnot really gzip", False)
    report = land_all(raw, tmp_path / "w.duckdb", quarantine_dir=tmp_path / "q")
    assert {f.path for f in report.quarantined} == {"telephony/contact_records/2026-11-03.jsonl.gz",
                                                   "telephony/contact_records/2026/11/02/09/obj.gz"}
    assert all(f.reason.startswith("corrupt gzip") for f in report.quarantined), [f.reason for f in report.quarantined]
    copies = {f.path: f.quarantine_path.read_bytes() for f in report.quarantined}
    assert copies["telephony/contact_records/2026-11-03.jsonl.gz"] == truncated.read_bytes()
    assert copies["telephony/contact_records/2026/11/02/09/obj.gz"] == not_gzip.read_bytes()


def test_a_gzip_csv_lands_like_its_plain_twin(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    text = b"id,name\ng1,Billing\ng2,\"Orders, returns\"\n"
    write(raw, "helpdesk/group/2026-11-02.csv", text, False)
    write(raw, "helpdesk/group/2026-11-03.csv.gz", text, True)
    report = land_all(raw, tmp_path / "w.duckdb", quarantine_dir=tmp_path / "q")
    assert report.ok and [f.rows for f in report.landed] == [2, 2], report.render()
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        by_day = con.execute("select _export_date, list(name order by _row_number) from raw.helpdesk__group "
                             "group by 1 order by 1").fetchall()
    assert [names for _, names in by_day] == [["Billing", "Orders, returns"]] * 2


# ------------------------------------------------------------------------------------------- many objects per day
def test_the_volume_band_judges_a_firehose_day_as_a_whole() -> None:
    """Five Mondays of 120 records, each delivered as 24 hourly objects of 5; then a Monday whose quiet night hour
    holds 1 record (the day: 116, not a half-empty export), and a Monday of 40 records (a third of the band: each of
    its objects is named)."""
    from ccw.quality import raw_rules

    mondays = ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09"]
    with duckdb.connect() as con:
        con.execute("create table batch (_source_file varchar, _export_date varchar)")

        def deliver(day: str, per_hour: list[int]) -> None:
            for hour, n in enumerate(per_hour):
                folder = day.replace("-", "/")
                con.execute(f"insert into batch select 'telephony/agent_events/{folder}/{hour:02d}/obj', '{day}' "
                            f"from range({n})")

        for day in mondays[:5]:
            deliver(day, [5] * 24)
        deliver(mondays[5], [1] + [5] * 23)
        low = next(r for r in raw_rules.volume_rules([]) if r.name == "rows_vs_same_weekday_low")

        def flagged() -> list[tuple]:
            return sorted(con.execute(low.sql.replace(raw_rules.BATCH, "batch")).fetchall())

        assert flagged() == [], "one object of 1 record among 23 of 5 is a quiet hour, not a half-empty day"
        con.execute("delete from batch where _export_date = ?", [mondays[5]])
        deliver(mondays[5], [20, 20])
        assert flagged() == [
            ("telephony/agent_events/2026/11/09/00/obj", 40, 120.0),
            ("telephony/agent_events/2026/11/09/01/obj", 40, 120.0),
        ]


def test_a_build_file_of_the_sample_registry_is_migrated_to_the_wider_agent(tmp_path: Path) -> None:
    """A raw table an older landing created with the sample's 8-field Agent STRUCT takes a real record's Agent once
    landing has widened the column: the old row keeps its values, the new fields are null for it."""
    warehouse = tmp_path / "w.duckdb"
    old_agent = ("STRUCT(Username VARCHAR, ConnectedToAgentTimestamp VARCHAR, AgentInteractionDuration VARCHAR, "
                 "CustomerHoldDuration VARCHAR, NumberOfHolds VARCHAR, AfterContactWorkDuration VARCHAR, "
                 "AfterContactWorkStartTimestamp VARCHAR, AfterContactWorkEndTimestamp VARCHAR)")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute(f'create table raw.telephony__contact_records ("ContactId" varchar, "Agent" {old_agent})')
        con.execute("insert into raw.telephony__contact_records values ('old', {'Username': 'zhao.lei', "
                    "'ConnectedToAgentTimestamp': null, 'AgentInteractionDuration': '61', "
                    "'CustomerHoldDuration': null, 'NumberOfHolds': null, 'AfterContactWorkDuration': null, "
                    "'AfterContactWorkStartTimestamp': null, 'AfterContactWorkEndTimestamp': null})")
    raw = tmp_path / "raw"
    write(raw, f"telephony/contact_records/2026/11/02/09/{STREAM_OBJECT}.gz",
          firehose_bytes(fixture("ctr_2026-11-02_09.json"), "concatenated"), True)
    report = land_all(raw, warehouse, quarantine_dir=tmp_path / "q")
    assert report.ok and [f.rows for f in report.landed] == [3], report.render()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        agents = con.execute('select ContactId, "Agent".Username, "Agent".AgentInteractionDuration, '
                             '"Agent".RoutingProfile.Name from raw.telephony__contact_records '
                             "where \"Agent\" is not null order by ContactId").fetchall()
    assert agents == [(CTR_A, "li.na", "215", "Billing"), (CTR_B, "wang.wei", "288", "International"),
                      ("old", "zhao.lei", "61", None)]
