"""Queues the sources name that seeds/queues.csv does not configure: a call's queue becomes a queue of its own.

A phone system's queue names are in no seed until a centre configures them. The faulty tiny run (conftest) renames
the queue CN-General to a name no seed row has in one contact-record file (``rename_queue``); the run must build
and publish with a warning at the raw gates, and the renamed queue must be a queue of its own with the phone
channel's default service targets, read here from the seed files, not from the models.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from conftest import ROOT, FaultyTinyRun

UNCONFIGURED = "Weekend Overflow"
RENAMED = "CN-General"


@dataclass(frozen=True)
class RenamedQueue:
    file: str  # relative to the raw root
    records: int  # records whose Queue.Name was renamed


def rename_queue(raw: Path) -> RenamedQueue:
    """In the contact-record file of the third newest day, Queue.Name CN-General -> ``UNCONFIGURED``."""
    path = sorted((raw / "telephony" / "contact_records").glob("*.jsonl"))[-3]
    lines, renamed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if (record.get("Queue") or {}).get("Name") == RENAMED:
            record["Queue"]["Name"] = UNCONFIGURED
            renamed += 1
        lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert renamed > 0, path
    return RenamedQueue(path.relative_to(raw).as_posix(), renamed)


def _phone_default_targets() -> dict[str, str]:
    with (ROOT / "seeds" / "service_targets.csv").open(encoding="utf-8", newline="") as handle:
        return next(r for r in csv.DictReader(handle) if r["channel"] == "phone" and not r["queue_id"])


def test_a_queue_no_seed_configures_is_a_queue_of_its_own(faulty_tiny_run: FaultyTinyRun) -> None:
    renamed = faulty_tiny_run.renamed_queue
    assert renamed is not None
    # the raw gates warn, naming the file; the run goes on (exit 3: the other scenario's refused files)
    assert "Queue_Name_unknown_queue_share_warn" in faulty_tiny_run.output
    assert renamed.file in faulty_tiny_run.output
    assert faulty_tiny_run.returncode == 3, faulty_tiny_run.output[-4000:]
    targets = _phone_default_targets()
    queue_id = f"telephony:{UNCONFIGURED}"
    with duckdb.connect(str(faulty_tiny_run.data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select queue_name, channel, is_configured, site, business_hours_text, service_level_threshold_seconds, "
            "service_level_target from marts.dim_queues where queue_id = ?", [queue_id]).fetchall() == [
            (UNCONFIGURED, "phone", False, None, "not configured", int(targets["service_level_threshold_seconds"]),
             float(targets["service_level_target"]))]
        offered, thresholds = con.execute(
            "select count(*) filter (where is_offered), count(distinct service_level_threshold_seconds) "
            "from marts.fct_contacts where queue_id = ?", [queue_id]).fetchone()
        assert offered > 0 and thresholds == 1
    with duckdb.connect(str(faulty_tiny_run.data / "build" / "warehouse.duckdb"), read_only=True) as con:
        # every leg that named the renamed queue has it (none is left without a queue)
        legs, with_queue = con.execute(
            "select count(*), count(*) filter (where queue_id = ?) from intermediate.int_contacts__call_legs "
            "where queue_ref = ?", [queue_id, UNCONFIGURED]).fetchone()
        assert 0 < legs <= renamed.records and with_queue == legs
