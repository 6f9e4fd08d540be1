"""Roster snapshot replay on the tiny sample: hand-made team moves become SCD2 versions of dim_agents."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ccw.generate import GeneratorConfig, generate
from ccw.land import land_all

#: (agent, first roster day of the new team, last roster day of it, new team); hand-made moves written into the
#: tiny sample's roster files (the tiny preset has no team moves of its own)
MOVES = (
    ("A0002", date(2026, 10, 12), date(2026, 10, 17), "SH Tiger"),  # Shanghai, UTC+8: moves and moves back
    ("A0007", date(2026, 10, 26), date(2026, 10, 26), "LDN Avon"),  # London, the day after the switch to GMT
)
FAR_FUTURE = datetime(9999, 12, 31)
#: replays twice then builds dim_agents, in a child process: an in-process dbt keeps the DuckDB file open with its
#: own settings, and the test's read-only connection would be refused
REPLAY_SCRIPT = """
import json
from ccw.build import run_dbt
from ccw.snapshots import replay_roster_snapshot
runs = [replay_roster_snapshot() for _ in range(2)]
built = run_dbt(["run", "--select", "+dim_agents"])  # with the sources' staging (agents no roster knows)
print("REPLAY " + json.dumps({"runs": [[r.ok, [str(d) for d in r.replayed], [str(d) for d in r.out_of_order]]
                                       for r in runs], "built": built}))
"""


def move_agents(roster_dir: Path) -> None:
    """Rewrite the team of the MOVES agents in the roster files of the days they are in the new team."""
    for path in sorted(roster_dir.glob("*.csv")):
        day = date.fromisoformat(path.stem)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            for agent_id, first_day, last_day, team in MOVES:
                if row["agent_id"] == agent_id and first_day <= day <= last_day:
                    row["team"] = team
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("snapshots")
    warehouse = tmp / "warehouse.duckdb"
    generate(GeneratorConfig.preset("tiny"), tmp / "raw")
    move_agents(tmp / "raw" / "workforce" / "agents")
    land_all(tmp / "raw", warehouse)
    env = {
        **os.environ, "CCW_DATA_DIR": str(tmp), "CCW_BUILD_WAREHOUSE": str(warehouse), "CCW_RAW_ROOT": str(tmp / "raw"),
        "DBT_TARGET_PATH": str(tmp / "target"), "DBT_LOG_PATH": str(tmp / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    child = subprocess.run([sys.executable, "-c", REPLAY_SCRIPT], env=env, capture_output=True, text=True,
                           timeout=900)
    reports = [line for line in child.stdout.splitlines() if line.startswith("REPLAY ")]
    assert child.returncode == 0 and reports, child.stdout[-5000:] + child.stderr[-5000:]
    return warehouse, json.loads(reports[-1].removeprefix("REPLAY "))


def versions(warehouse: Path, agent_id: str) -> list[tuple[str, datetime, datetime, bool]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select team, valid_from, valid_to, is_current from marts.dim_agents"
            " where agent_id = ? order by valid_from",
            [agent_id],
        ).fetchall()


@pytest.mark.slow
def test_replay_runs_each_change_day_once_in_order(replayed: tuple[Path, dict]) -> None:
    warehouse, report = replayed
    (first_ok, first_days, first_late), (second_ok, second_days, second_late) = report["runs"]
    assert first_ok and second_ok and report["built"]
    assert first_days[0] == "2026-10-07"  # the first roster day: every agent's first version
    assert first_days == sorted(set(first_days))
    assert {"2026-10-12", "2026-10-18", "2026-10-26"} <= set(first_days)
    assert first_late == [] and second_days == [] and second_late == []  # the second replay has nothing to do
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select distinct valid_from_date from marts.dim_agents where is_rostered").fetchall()
    version_days = {row[0] for row in rows}
    assert {date.fromisoformat(d) for d in first_days} == version_days


@pytest.mark.slow
def test_team_move_and_move_back_give_three_versions(replayed: tuple[Path, dict]) -> None:
    # Shanghai local midnight is 16:00 UTC the day before
    assert versions(replayed[0], "A0002") == [
        ("SH Panda", datetime(2026, 10, 6, 16), datetime(2026, 10, 11, 16), False),
        ("SH Tiger", datetime(2026, 10, 11, 16), datetime(2026, 10, 17, 16), False),
        ("SH Panda", datetime(2026, 10, 17, 16), FAR_FUTURE, True),
    ]


@pytest.mark.slow
def test_london_move_after_dst_starts_at_gmt_midnight(replayed: tuple[Path, dict]) -> None:
    # 2026-10-07 is BST (midnight = 23:00 UTC the day before); 2026-10-26 is GMT (midnight = 00:00 UTC)
    assert versions(replayed[0], "A0007") == [
        ("LDN Thames", datetime(2026, 10, 6, 23), datetime(2026, 10, 26), False),
        ("LDN Avon", datetime(2026, 10, 26), FAR_FUTURE, True),
    ]


@pytest.mark.slow
def test_unchanged_agent_keeps_one_version(replayed: tuple[Path, dict]) -> None:
    assert versions(replayed[0], "A0003") == [("SH Panda", datetime(2026, 10, 6, 16), FAR_FUTURE, True)]
