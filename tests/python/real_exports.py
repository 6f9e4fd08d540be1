"""A centre of real exports only, written by hand in the vendors' schemas, through `ccw run` end to end (issue 14).

The raw root holds the Fivetran Zendesk fixtures (``tests/fixtures/zendesk_fivetran/``: a 2019-2021 history dump and
the next day's increment) twice, as two Zendesk accounts (the second in ``helpdesk@eu/``, so every id of it is
scoped ``eu:``), and the Amazon Connect fixtures (``tests/fixtures/amazon_connect/``) written the way Kinesis
Data Firehose delivers them: records concatenated without a delimiter, gzip or not, in ``YYYY/MM/DD/HH/`` folders,
one day as a flat ``<YYYY-MM-DD>.jsonl.gz`` file, one agent event delivered twice. No roster, schedules, chat,
surveys or CRM. The files are landed and gated once by calling ``land_all`` and ``run_raw_gates`` (the landing report
and gate result are kept for the landing tests), then ``ccw run`` lands them again (unchanged), builds, gates and
publishes.

Started at session start by a background thread (``conftest.built_in_background``), in a child process of its own: GX
copies and sets ``os.environ`` for every setting it reads, and pytest changes it for every test in the foreground (in
a thread of the test process a copy failed with KeyError 'PYTEST_CURRENT_TEST' in CI, stop 34).
``test_land_amazon_connect`` and ``test_real_exports_end_to_end`` both read it through the ``real_centre`` fixture.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import duckdb

from ccw.land import LandingReport, land_all
from conftest import built_in_background, in_own_process, run_ccw

ROOT = Path(__file__).resolve().parents[2]
CONNECT_FIXTURES = ROOT / "tests" / "fixtures" / "amazon_connect"
ZENDESK_FIXTURES = ROOT / "tests" / "fixtures" / "zendesk_fivetran"

#: the second Zendesk account's folder suffix: its files land from helpdesk@eu/
SECOND_ACCOUNT = "eu"
CTR_A, CTR_B, CTR_C, CTR_D = (f"5f1c0a11-aaaa-4bbb-8ccc-00000000000{n}" for n in range(1, 5))
STREAM_OBJECT = "ccw-ctr-stream-1-2026-11-02-09-05-00-3f0c9a1e-2b7d-4c55-9e0a-7d1f0c2b9a10"

#: where each Connect fixture goes: (relative path under the raw root, fixture, how Firehose wrote it, gzip)
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
#: one event in the sample's flat format, the next day: the agent available again at 01:00 UTC (never logs out)
FLAT_EVENTS_FILE = "telephony/agent_events/2026-11-03.jsonl"
FLAT_EVENT = {"EventId": "S-1", "Username": " li.na ", "EventTimestamp": "2026-11-03T01:00:00Z", "State": "available"}


def fixture(name: str) -> list[dict]:
    return json.loads((CONNECT_FIXTURES / name).read_text(encoding="utf-8"))


def firehose_bytes(records: list[dict], how: str) -> bytes:
    """Records as Firehose concatenates them (no delimiter), or one per line."""
    compact = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records]
    return ("".join(compact) if how == "concatenated" else "".join(c + "\n" for c in compact)).encode("utf-8")


def write(raw: Path, relative: str, data: bytes, compress: bool) -> Path:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def write_connect(raw: Path) -> None:
    for relative, (name, how, compress) in CTR_FILES.items():
        write(raw, relative, firehose_bytes(fixture(name), how), compress)
    events = fixture("agent_events_2026-11-02.json")
    assert events[2] == events[3], "the fixture's e-03 is delivered twice"
    write(raw, EVENTS_FILE, firehose_bytes(events[:3] + events[4:], "concatenated"), True)
    write(raw, REDELIVERED_FILE, firehose_bytes(events[3:4], "concatenated"), True)
    write(raw, FLAT_EVENTS_FILE, firehose_bytes([FLAT_EVENT], "lines"), False)


class RealCentre:
    """The data folder of the real-exports centre, its first landing and gates, and its `ccw run`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.raw = data_dir / "raw"
        self.build = data_dir / "build" / "warehouse.duckdb"
        self.serving = data_dir / "warehouse.duckdb"
        self.quarantine = data_dir / "quarantine"
        self.build.parent.mkdir(parents=True)
        self.report: LandingReport | None = None
        self.gates = None
        self.run: subprocess.CompletedProcess[str] | None = None

    @property
    def output(self) -> str:
        return "" if self.run is None else self.run.stdout + self.run.stderr

    def query(self, sql: str, params: list | None = None, serving: bool = False) -> list[tuple]:
        with duckdb.connect(str(self.serving if serving else self.build), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@built_in_background("real_centre")
def build_real_centre_in_child(base: Path) -> RealCentre:
    return in_own_process(build_real_centre, base)


def build_real_centre(base: Path) -> RealCentre:
    centre = RealCentre(base / "data")
    shutil.copytree(ZENDESK_FIXTURES / "helpdesk", centre.raw / "helpdesk")
    shutil.copytree(ZENDESK_FIXTURES / "helpdesk", centre.raw / f"helpdesk@{SECOND_ACCOUNT}")
    write_connect(centre.raw)
    centre.report = land_all(centre.raw, centre.build, quarantine_dir=centre.quarantine)

    from ccw.quality import run_raw_gates

    centre.gates = run_raw_gates(centre.build, centre.data_dir)
    centre.run = run_ccw(centre.data_dir, "run")
    return centre
