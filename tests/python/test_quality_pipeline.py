"""The gates inside ``ccw run``: they pass on the clean default sample (the shared run), and a corrupted export is
set aside whole while everything else is built and published (one bad file never stops the rest; on the faulty tiny
run, conftest)."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from conftest import FaultyTinyRun, PipelineRun

WINDOW_BEFORE, WINDOW_AFTER = timedelta(days=7), timedelta(days=2)  # export day - 7 .. export day + 1 (whole day)


def _day(path: Path) -> date:
    return date.fromisoformat(path.stem)


def _expected_quarantine(raw_root: Path) -> Counter:
    """What the two defects of the default sample should quarantine, read straight from the export files:
    call legs whose InitiationTimestamp is far from their export day, and a comment repeated whole in a file."""
    expected: Counter = Counter()
    for path in sorted((raw_root / "telephony" / "contact_records").glob("*.jsonl")):
        midnight = datetime.combine(_day(path), datetime.min.time())
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate((ln for ln in handle if ln.strip()), start=1):
                text = (json.loads(line).get("InitiationTimestamp") or "").strip()
                try:
                    parsed = datetime.fromisoformat(text)
                    at = parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
                except ValueError:
                    at = None
                if at is None or not midnight - WINDOW_BEFORE <= at < midnight + WINDOW_AFTER:
                    rule = "InitiationTimestamp_valid_record_time"
                    expected[(path.relative_to(raw_root).as_posix(), number, rule)] += 1
    for path in sorted((raw_root / "helpdesk" / "ticket_comment").glob("*.csv")):
        seen: set[tuple[str, ...]] = set()
        with path.open(encoding="utf-8", newline="") as handle:
            for number, record in enumerate(csv.reader(handle)):
                if number and tuple(record) in seen:
                    expected[(path.relative_to(raw_root).as_posix(), number, "id_unique_per_version")] += 1
                seen.add(tuple(record))
    return expected


def test_gates_pass_on_the_clean_default_sample(built_sample: PipelineRun) -> None:
    assert "Raw quality gates: passed" in built_sample.output
    assert "Mart quality gates: passed" in built_sample.output
    docs = built_sample.data_dir / "quality" / "data_docs" / "index.html"
    assert docs.is_file() and f"Data Docs: {docs.resolve().as_uri()}" in built_sample.output
    con = duckdb.connect(str(built_sample.build_warehouse), read_only=True)
    try:
        stages = con.execute(
            "select stage, count(*), count(*) filter (where severity = 'critical' and not success) "
            "from quality.gate_results group by stage order by stage"
        ).fetchall()
        quarantined = Counter(
            tuple(r)
            for r in con.execute("select source_file, row_number, rule from quality.quarantined_rows").fetchall()
        )
        daily = con.execute(
            "select raw_table, reason, sum(rows_affected) from marts.data_quality_daily "
            "where check_name = 'rows_quarantined' group by raw_table, reason order by raw_table"
        ).fetchall()
    finally:
        con.close()
    assert [(s, failed) for s, _, failed in stages] == [("mart", 0), ("raw", 0)]
    expected = _expected_quarantine(built_sample.raw_root)  # 6 rows in the sample of this writing
    assert quarantined == expected
    per_table = Counter()
    for source_file, _, rule in expected:
        per_table[(source_file.split("/")[0] + "__" + source_file.split("/")[1], rule)] += 1
    assert sorted((t, r, n) for (t, r), n in per_table.items()) == daily


@dataclass(frozen=True)
class BrokenFile:
    """An agent-events file planted into a sample with every 20th event's timestamp broken."""

    source: str  # its path under the raw root
    rows: int
    broken: int


def break_agent_events_file(raw_root: Path) -> BrokenFile:
    """Every 20th event of the middle agent-events file of ``raw_root`` loses its timestamp: 5 % of the file, above
    the 1 % threshold (not the newest file, which test_pii_everywhere seeds). ``conftest.build_faulty_tiny_run``
    plants it into the faulty tiny run (one build for several scenarios, to keep `make test` short)."""
    files = sorted((raw_root / "telephony" / "agent_events").glob("*.jsonl"))
    victim = files[len(files) // 2]
    lines = victim.read_text(encoding="utf-8").splitlines()
    broken = 0
    for i in range(0, len(lines), 20):
        record = json.loads(lines[i])
        record["EventTimestamp"] = f"{victim.stem[8:10]}/{victim.stem[5:7]}/{victim.stem[:4]} 25:99"
        lines[i] = json.dumps(record)
        broken += 1
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return BrokenFile(source=victim.relative_to(raw_root).as_posix(), rows=len(lines), broken=broken)


def test_a_corrupted_export_is_set_aside_whole_and_the_rest_is_built_and_published(
    faulty_tiny_run: FaultyTinyRun,
) -> None:
    """Every 20th event of one agent-events file loses its timestamp (``break_agent_events_file``). The raw gates
    quarantine the broken events under their rule and the file's other rows under file_not_trusted (none of it
    reaches a model, nothing is lost); the run builds and publishes everything else and exits 3 naming the file, the
    rule and the count; the file counts as refused for its day (data_completeness_daily), so the day is flagged
    incomplete. Removing or re-sending the file heals (test_quality_raw_gates_incremental)."""
    data, output, planted = faulty_tiny_run.data, faulty_tiny_run.output, faulty_tiny_run.untrusted
    source, day = planted.source, date.fromisoformat(Path(planted.source).stem)
    assert planted.rows >= 100 and planted.broken * 100 > planted.rows  # over the 1 % threshold

    assert faulty_tiny_run.returncode == 3, output[-3000:]
    assert f"QUARANTINED {source}: file not trusted: {planted.broken:,} of {planted.rows:,} rows" in output, (
        output[-3000:])
    assert "EventTimestamp_valid_record_time" in output
    assert "The raw gates set 1 untrusted file(s) aside whole" in output
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select rule, count(*) from quality.quarantined_rows where source_file = ? "
                           "group by rule order by rule", [source]).fetchall() == [
            ("EventTimestamp_valid_record_time", planted.broken), ("file_not_trusted", planted.rows - planted.broken)]
        assert con.execute("select count(*) from raw.telephony__agent_events where _source_file = ?",
                           [source]).fetchone() == (0,)
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:  # published
        status, refused, reason, complete = con.execute(
            "select file_status, refused_file, refused_reason, is_complete_day from marts.data_completeness_daily "
            "where date_day = ? and raw_table = 'telephony__agent_events'", [day]).fetchone()
    assert (status, refused, complete) == ("refused", source, False)
    assert reason.startswith(f"file not trusted: {planted.broken:,} of {planted.rows:,} rows")
    failed = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (data / "quality" / "validations" / "raw" / "telephony__agent_events").rglob("*.json")
    ]
    assert [v["success"] for v in failed] == [False], "the Data Docs record the failing validation"
    assert list((data / "quality" / "data_docs").rglob("warehouse-raw.telephony__agent_events.html"))


def test_python_m_ccw_quality_runs_the_gates_when_pyspark_is_installed(tmp_path: Path) -> None:
    """`python -m ccw.quality raw` judges the files: it once exited 0 without running a gate, because GX imports
    pyspark and pyspark ends a process whose ``__main__`` is still bare ("Skipping doctests"), as it is while
    ``python -m`` imports the package before its ``__main__`` (ccw.quality now imports GX lazily)."""
    import re
    import subprocess
    import sys

    from ccw.land import land_all

    (tmp_path / "raw").mkdir()
    build = tmp_path / "build" / "warehouse.duckdb"
    land_all(tmp_path / "raw", build, tmp_path / "quarantine")
    env = {**os.environ, "CCW_DATA_DIR": str(tmp_path), "CCW_BUILD_WAREHOUSE": str(build)}
    done = subprocess.run([sys.executable, "-m", "ccw.quality", "raw"], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert "Skipping doctests" not in done.stderr
    assert "Raw quality gates:" in done.stdout, done.stdout + done.stderr[-2000:]
    suites = re.search(r"\((\d+) suites, (\d+) checks", done.stdout)
    assert suites is not None and int(suites[1]) > 0 and int(suites[2]) > 0, done.stdout  # empty raw tables: warnings
