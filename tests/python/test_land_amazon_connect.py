"""Amazon Connect as a real centre exports it (issue 14): contact trace records as Kinesis Data Firehose writes
them, and the real agent event stream.

The records are hand-written in AWS's published data models (``tests/fixtures/amazon_connect/``, README there); the
test writes them the way Firehose delivers them to S3: JSON objects one after another with **no** delimiter, gzip or
not, in Firehose's ``YYYY/MM/DD/HH/<object>`` folders, and one day as a flat ``<YYYY-MM-DD>.jsonl.gz`` file
(``real_exports``). They land (schema drift kept in ``_extra`` with warnings), pass the raw gates, and the two
telephony staging models (built by the centre's `ccw run`) give the values worked out by hand below. The marts built
from them: ``test_real_exports_end_to_end``.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccw.exports import entity
from ccw.land import land_all
from ccw.land.paths import describe, extensions
from conftest import background_result
from real_exports import (
    CTR_A,
    CTR_B,
    CTR_C,
    CTR_D,
    CTR_FILES,
    EVENTS_FILE,
    FLAT_EVENTS_FILE,
    REDELIVERED_FILE,
    STREAM_OBJECT,
    RealCentre,
    firehose_bytes,
    fixture,
    write,
)

TODAY = date(2026, 12, 3)


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
@pytest.fixture(scope="module")
def real_centre(tmp_path_factory: pytest.TempPathFactory) -> RealCentre:
    return background_result("real_centre", tmp_path_factory)


@pytest.fixture(scope="module")
def centre(real_centre: RealCentre) -> RealCentre:
    """The Connect fixtures (with the Zendesk ones) landed, gated, built and published by `ccw run`
    (``real_exports``); the landing report and gate result are of the first landing."""
    return real_centre


def test_firehose_batches_land_with_warnings_only(centre: RealCentre) -> None:
    report = centre.report
    assert report is not None and report.ok, report.render()
    landed = {f.path: f.rows for f in report.landed if f.path.startswith("telephony/")}
    assert landed == {
        **{relative: len(fixture(name)) for relative, (name, _, _) in CTR_FILES.items()},
        EVENTS_FILE: 15,
        REDELIVERED_FILE: 1,
        FLAT_EVENTS_FILE: 1,
    }
    assert centre.query("select distinct _export_date from raw.telephony__contact_records "
                        "where _source_file like '%/2026/11/02/%'") == [(date(2026, 11, 2),)], "the day of the folders"
    # the hour-10 batch carries fields the registry does not know: kept in _extra, named in a warning
    drift = " ".join(w for f in report.landed for w in f.warnings if f.path.startswith("telephony/"))
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


def test_raw_gates_pass_without_a_critical_finding(centre: RealCentre) -> None:
    gates = centre.gates
    assert gates is not None and gates.ok, gates.render()
    assert not gates.failures
    assert centre.query("select count(*) from quality.quarantined_rows") == [(0,)]


def _staged(centre: RealCentre, model: str, key: str, columns: list[str]) -> dict[str, dict]:
    assert centre.run is not None and centre.run.returncode == 0, centre.output[-6000:]
    rows = centre.query(f"select {key}, {', '.join(columns)} from staging.{model} order by {key}")
    return {r[0]: dict(zip(columns, r[1:], strict=True)) for r in rows}


def test_contact_records_stage_to_the_values_worked_out_by_hand(centre: RealCentre) -> None:
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


def test_contact_records_hash_the_caller_of_a_transfer_once(centre: RealCentre) -> None:
    hashes = centre.query("select contact_id, customer_phone_hash from staging.stg_telephony__contact_records "
                          "where contact_id in (?, ?, ?) order by contact_id", [CTR_A, CTR_B, CTR_D])
    assert hashes[0][1] is not None and hashes[0][1] == hashes[1][1] != hashes[2][1]


def test_agent_events_map_the_real_stream_onto_the_canonical_states(centre: RealCentre) -> None:
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


def test_agent_names_never_pass_staging(centre: RealCentre) -> None:
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
