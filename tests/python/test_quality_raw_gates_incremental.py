"""Raw gates judge only the files landed since they last passed (issue 16): real landing of small hand-made export
files (agent events and a roster), then the raw gates, step by step on one build database:

1. four Mondays of 60 events (and a roster file each) land: the first run judges every file (the whole tables);
2. nothing new: the next run judges nothing (GX does not even start), passes, and carries the 8 files over;
3. a half-empty Monday (20 events) arrives: only that day's 2 files are judged, and the volume band (history: the
   four earlier Mondays, 60 each, read from the whole raw table) stops the run; a stopped run records nothing;
4. the Monday re-sent corrected (60 events, landing: replaced) is judged again, and so is that day's roster file,
   unchanged but not recorded by the stopped run: the run passes;
5. a Tuesday file with 10 of its 100 timestamps broken and a garbage chat file land: landing quarantines the chat file;
   the gates judge only the Tuesday file (not the Monday again), set its 10 rows aside, then the file's 90 others
   (file not trusted: set aside whole) and pass;
6. nothing new: the Tuesday file is reported again (still set aside), and nothing of it is moved again;
7. the chat file is deleted and the Tuesday file re-sent corrected: landing retires the chat file (healed, as
   before), the gates judge the Tuesday file again and pass.

One fixture runs the steps (about 6 s: the first gate run validates every suite, 1.8 s; a later one with a file or
two 0.7 s, most of it GX's context and Data Docs).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ccw.land import land_all
from ccw.land.outcomes import LandingReport
from ccw.quality import GateReport, batches, project, run_raw_gates
from ccw.quality.raw_rules import SPECS

MONDAYS = [date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]  # no holiday
NEW_MONDAY, TUESDAY = date(2026, 11, 9), date(2026, 11, 10)
ROSTER = ["ann", "bob", "cho"]
EVENTS, AGENTS = "telephony__agent_events", "workforce__agents"
CHAT_GARBAGE = "chat/sessions/2026-11-10.jsonl"
ROSTER_COLUMNS = ["agent_id", "username", "helpdesk_user_id", "chat_agent_id", "full_name", "email", "team", "site",
                  "site_time_zone", "supervisor_id", "hire_date", "employment_status"]


def events_file(day: date) -> str:
    return f"telephony/agent_events/{day.isoformat()}.jsonl"


def roster_file(day: date) -> str:
    return f"workforce/agents/{day.isoformat()}.csv"


def event(n: int, day: date, at: str | None = None) -> dict:
    stamp = at or (datetime.combine(day, datetime.min.time()) + timedelta(seconds=60 * n)).isoformat() + "Z"
    return {"EventId": f"E{day:%m%d}-{n:04d}", "Username": ROSTER[n % 3], "EventTimestamp": stamp,
            "State": "AVAILABLE"}


class Exports:
    """A raw root of hand-made export files, landed into one build database, gated in one data folder."""

    def __init__(self, root: Path) -> None:
        self.root, self.raw = root, root / "raw"
        self.build = root / "build" / "warehouse.duckdb"
        self.build.parent.mkdir(parents=True)

    def write(self, relative: str, text: str) -> None:
        path = self.raw / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        path.write_text(text, encoding="utf-8")
        if existed:  # a re-sent file: a later modification time, whatever the clock's resolution
            later = path.stat().st_mtime + 60
            os.utime(path, (later, later))

    def events(self, day: date, records: list[dict]) -> None:
        self.write(events_file(day), "".join(json.dumps(r) + "\n" for r in records))

    def roster(self, day: date) -> None:
        rows = [[f"A{i}", name, f"90{i}", f"op{i}", name.title(), "", "T1", "london", "", "", "", "active"]
                for i, name in enumerate(ROSTER)]
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([ROSTER_COLUMNS, *rows])
        self.write(roster_file(day), text.getvalue())

    def delete(self, relative: str) -> None:
        (self.raw / relative).unlink()

    def land(self) -> LandingReport:
        return land_all(self.raw, self.build, quarantine_dir=self.root / "quarantine", loaders=[],
                        today=date(2026, 11, 30))

    def gates(self) -> GateReport:
        return run_raw_gates(self.build, self.root)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.build), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@dataclass
class Step:
    landing: LandingReport
    gates: GateReport
    quarantined: list[tuple] = field(default_factory=list)  # (source_file, rule, rows) set aside by this run
    state: list[tuple] = field(default_factory=list)  # quality.raw_gate_state after the run: (through, run_id)
    max_attempt: int = 0  # the manifest's highest attempt id before the gates ran


@dataclass
class Scenario:
    steps: dict[int, Step]
    replanned: batches.BatchPlan  # the batches after step 2 with one suite's checksum changed


def _step(ex: Exports) -> Step:
    landing = ex.land()
    max_attempt = ex.query("select max(attempt_id) from raw._landing_manifest")[0][0]
    report = ex.gates()
    quarantined = ex.query("select source_file, rule, count(*) from quality.quarantined_rows where run_id = ? "
                           "group by all order by all", [report.run_id])
    state = ex.query("select distinct judged_through_attempt, run_id from quality.raw_gate_state")
    return Step(landing, report, quarantined, state, max_attempt)


def _run_scenario(ex: Exports) -> Scenario:
    steps: dict[int, Step] = {}
    for day in MONDAYS:
        ex.events(day, [event(n, day) for n in range(60)])
        ex.roster(day)
    steps[1] = _step(ex)
    steps[2] = _step(ex)
    with duckdb.connect(str(ex.build), read_only=True) as con:
        checksums = batches.suite_checksums(project.PROJECT_DIR, [s.table for s in SPECS])
        replanned = batches.plan(con, {**checksums, EVENTS: "another suite"})
    ex.events(NEW_MONDAY, [event(n, NEW_MONDAY) for n in range(20)])  # a third of the usual day: half-empty
    ex.roster(NEW_MONDAY)
    steps[3] = _step(ex)
    ex.events(NEW_MONDAY, [event(n, NEW_MONDAY) for n in range(60)])  # re-sent complete
    steps[4] = _step(ex)
    ex.events(TUESDAY, [event(n, TUESDAY, at="31/12/2026 25:61" if n % 10 == 0 else None) for n in range(100)])
    ex.write(CHAT_GARBAGE, "\x00\x01 not json at all\n")
    steps[5] = _step(ex)
    steps[6] = _step(ex)  # nothing new: the Tuesday file is still untrusted, nothing of it is left to move
    ex.delete(CHAT_GARBAGE)
    ex.events(TUESDAY, [event(n, TUESDAY) for n in range(100)])  # re-sent corrected
    steps[7] = _step(ex)
    return Scenario(steps, replanned)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _run_scenario(Exports(tmp_path_factory.mktemp("incremental_gates")))


def _failed(report: GateReport) -> list[tuple[str, str, str]]:
    """The failed results of the two tables with data (the others are empty; their suites ran on the first run)."""
    return [(r.asset, r.expectation, r.severity) for r in report.results
            if not r.success and r.asset in (f"raw.{EVENTS}", f"raw.{AGENTS}")]


def test_a_first_run_judges_every_file(scenario: Scenario) -> None:
    first = scenario.steps[1]
    assert first.gates.ok, first.gates.render()
    assert first.gates.judged_files == {EVENTS: tuple(events_file(d) for d in MONDAYS),
                                        AGENTS: tuple(roster_file(d) for d in MONDAYS)}
    assert (first.gates.files_judged, first.gates.files_carried_over) == (8, 0)
    assert "Files: 8 judged (new, re-sent or late since the raw gates last passed), 0 carried over" in (
        first.gates.render())
    assert len({r.suite for r in first.gates.results}) == len(SPECS)  # every suite, the empty tables' too
    # every raw table is judged through the manifest's last attempt (8 files landed: attempts 1..8)
    assert first.state == [(8, first.gates.run_id)] and first.max_attempt == 8


def test_a_second_run_with_no_new_file_judges_nothing_and_passes(scenario: Scenario) -> None:
    second = scenario.steps[2]
    assert len(second.landing.unchanged) == 8
    assert second.gates.ok, second.gates.render()
    assert second.gates.judged_files == {} and second.gates.results == []
    assert (second.gates.files_judged, second.gates.files_carried_over) == (0, 8)
    assert second.state == [(16, second.gates.run_id)]  # the 8 "unchanged" attempts (9..16) are judged through too


def test_a_changed_suite_judges_its_whole_table_again(scenario: Scenario) -> None:
    tables = scenario.replanned.tables
    assert (tables[EVENTS].scope, tables[EVENTS].why) == (batches.WHOLE, "its suite changed")
    assert tables[EVENTS].judged == tuple(events_file(d) for d in MONDAYS)
    assert tables[AGENTS].scope == batches.SKIPPED and tables[AGENTS].carried_over == 4


def test_a_new_day_is_judged_alone_and_the_band_of_earlier_days_catches_it_half_empty(scenario: Scenario) -> None:
    third = scenario.steps[3]
    assert third.gates.judged_files == {EVENTS: (events_file(NEW_MONDAY),), AGENTS: (roster_file(NEW_MONDAY),)}
    assert (third.gates.files_judged, third.gates.files_carried_over) == (2, 8)
    assert not third.gates.ok
    assert _failed(third.gates) == [(f"raw.{EVENTS}", "rows_vs_same_weekday_low", "critical")]
    [low] = [r for r in third.gates.results
             if (r.asset, r.expectation) == (f"raw.{EVENTS}", "rows_vs_same_weekday_low")]
    assert low.message == ("1 file(s) fail: an export day (its files together) has at least 50% of the median rows "
                           f"of the previous 4 same-weekday days: {events_file(NEW_MONDAY)}, 20, 60")
    assert third.state == scenario.steps[2].state, "a stopped run records nothing"


def test_a_resent_file_is_judged_again_and_so_is_what_a_stopped_run_judged(scenario: Scenario) -> None:
    fourth = scenario.steps[4]
    assert [f.path for f in fourth.landing.replaced] == [events_file(NEW_MONDAY)]
    assert roster_file(NEW_MONDAY) in [f.path for f in fourth.landing.unchanged]
    assert fourth.gates.judged_files == {EVENTS: (events_file(NEW_MONDAY),), AGENTS: (roster_file(NEW_MONDAY),)}
    assert fourth.gates.ok, fourth.gates.render()
    assert fourth.state == [(fourth.max_attempt, fourth.gates.run_id)]


def test_a_bad_file_landed_later_is_set_aside_whole_and_the_run_goes_on(scenario: Scenario) -> None:
    """10 of the Tuesday file's 100 timestamps are broken (10 % > 1 %): the 10 rows are quarantined under their rule
    and the 90 others under file_not_trusted; the run passes (one bad file never stops the rest) and records what
    it judged, so the next run does not judge the file again."""
    fifth = scenario.steps[5]
    assert [f.path for f in fifth.landing.quarantined] == [CHAT_GARBAGE]
    assert fifth.gates.judged_files == {EVENTS: (events_file(TUESDAY),)}  # the Monday is not judged again
    assert fifth.quarantined == [(events_file(TUESDAY), "EventTimestamp_valid_record_time", 10),
                                 (events_file(TUESDAY), "file_not_trusted", 90)]
    assert [(f.source_file, f.failing_rows, f.file_rows) for f in fifth.gates.untrusted_files] == [
        (events_file(TUESDAY), 10, 100)]
    assert fifth.gates.ok, fifth.gates.render()
    assert fifth.state == [(fifth.max_attempt, fifth.gates.run_id)]


def test_a_file_set_aside_by_an_earlier_run_is_still_reported_and_not_moved_again(scenario: Scenario) -> None:
    sixth = scenario.steps[6]
    assert [(f.source_file, f.failing_rows, f.file_rows, f.is_set_aside) for f in sixth.gates.untrusted_files] == [
        (events_file(TUESDAY), 10, 100, True)]
    assert sixth.quarantined == []  # nothing moved again
    assert sixth.gates.ok and "still set aside whole" in sixth.gates.render()


def test_removing_or_correcting_the_bad_files_heals_as_before(scenario: Scenario) -> None:
    sixth = scenario.steps[7]
    assert sixth.landing.ok and sixth.landing.retired == [CHAT_GARBAGE]
    assert [f.path for f in sixth.landing.replaced] == [events_file(TUESDAY)]
    assert sixth.gates.judged_files == {EVENTS: (events_file(TUESDAY),)}
    assert sixth.gates.ok, sixth.gates.render()
    assert sixth.gates.untrusted_files == [] and sixth.quarantined == []
    assert (sixth.gates.files_judged, sixth.gates.files_carried_over) == (1, 10)
