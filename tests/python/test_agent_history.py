"""Agent history (SCD type 2 of dim_agents, derived in SQL from the daily roster) on the tiny sample with hand-made
roster changes: team moves become versions, a move back is a version of its own, a day without the agent's row
opens none, and every version keeps the key dbt's roster snapshot gave it."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ccw.generate import GeneratorConfig, generate
from ccw.land import land_all
from conftest import NO_JSON_ARTIFACTS, background_result, built_in_background, in_own_process

#: (agent, first roster day of the new team, last roster day of it, new team); hand-made moves written into the
#: tiny sample's roster files (the tiny preset has no team moves of its own)
MOVES = (
    ("A0002", date(2026, 10, 12), date(2026, 10, 17), "SH Tiger"),  # Shanghai, UTC+8: moves and moves back
    ("A0007", date(2026, 10, 26), date(2026, 10, 26), "LDN Avon"),  # London, the day after the switch to GMT
)
#: (agent, roster day): the agent's row is left out of that day's file (the file itself is there, with the others)
MISSING = (
    ("A0003", date(2026, 10, 14)),  # comes back unchanged the next day
    ("A0002", date(2026, 10, 12)),  # comes back the next day already in the new team
)
FAR_FUTURE = datetime(9999, 12, 31)
#: builds dim_agents in a child process: an in-process dbt keeps the DuckDB file open with its own settings, and the
#: test's read-only connection would be refused
BUILD_SCRIPT = """
import sys
from ccw.build import run_dbt
# dim_agents and all it reads: the sources' staging (unrostered agents) and seeds (their time zones); no tests
sys.exit(0 if run_dbt(["build", "--select", "+dim_agents", "--resource-type", "model", "seed"]) else 1)
"""


def edit_roster(roster_dir: Path) -> None:
    """Rewrite the team of the MOVES agents on the days they are in the new team; drop the MISSING rows."""
    for path in sorted(roster_dir.glob("*.csv")):
        day = date.fromisoformat(path.stem)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = [row for row in reader if (row["agent_id"], day) not in MISSING]
        for row in rows:
            for agent_id, first_day, last_day, team in MOVES:
                if row["agent_id"] == agent_id and first_day <= day <= last_day:
                    row["team"] = team
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


@built_in_background("agent_history_warehouse")
def build_agent_history_in_child(base: Path) -> Path:
    return in_own_process(build_agent_history, base)


def build_agent_history(base: Path) -> Path:
    """The tiny sample with the hand-made roster changes, landed, and dim_agents built (in a child process of a
    background thread, from session start)."""
    warehouse = base / "warehouse.duckdb"
    generate(GeneratorConfig.preset("tiny"), base / "raw")
    edit_roster(base / "raw" / "workforce" / "agents")
    land_all(base / "raw", warehouse, base / "quarantine")
    env = {
        **os.environ, "CCW_DATA_DIR": str(base), "CCW_BUILD_WAREHOUSE": str(warehouse),
        "CCW_RAW_ROOT": str(base / "raw"), "DBT_TARGET_PATH": str(base / "target"), "DBT_LOG_PATH": str(base / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **NO_JSON_ARTIFACTS,
    }
    child = subprocess.run([sys.executable, "-c", BUILD_SCRIPT], env=env, capture_output=True, text=True,
                           timeout=900)
    assert child.returncode == 0, child.stdout[-5000:] + child.stderr[-5000:]
    return warehouse


@pytest.fixture(scope="module")
def agent_history_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return background_result("agent_history_warehouse", tmp_path_factory)


@pytest.fixture(scope="module")
def warehouse(agent_history_warehouse: Path) -> Path:
    return agent_history_warehouse


def versions(warehouse: Path, agent_id: str) -> list[tuple[str, datetime, datetime, bool]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select team, valid_from, valid_to, is_current from marts.dim_agents"
            " where agent_id = ? order by valid_from",
            [agent_id],
        ).fetchall()


def snapshot_scd_id(agent_id: str, first_day: date) -> str:
    """The dbt_scd_id dbt's timestamp snapshot gave a version (dbt-core's default__snapshot_hash_arguments: md5 of
    unique key and updated_at as text, joined with '|'); updated_at was the version's first roster day at midnight."""
    return hashlib.md5(f"{agent_id}|{first_day.isoformat()} 00:00:00".encode()).hexdigest()


@pytest.mark.slow
def test_team_move_and_move_back_give_three_versions(warehouse: Path) -> None:
    # Shanghai local midnight is 16:00 UTC the day before; A0002 has no row on 10-12 and is back on 10-13 in the new
    # team: the new version starts on 10-13, the first day showing it
    assert versions(warehouse, "A0002") == [
        ("SH Panda", datetime(2026, 10, 6, 16), datetime(2026, 10, 12, 16), False),
        ("SH Tiger", datetime(2026, 10, 12, 16), datetime(2026, 10, 17, 16), False),
        ("SH Panda", datetime(2026, 10, 17, 16), FAR_FUTURE, True),
    ]


@pytest.mark.slow
def test_london_move_after_dst_starts_at_gmt_midnight(warehouse: Path) -> None:
    # 2026-10-07 is BST (midnight = 23:00 UTC the day before); 2026-10-26 is GMT (midnight = 00:00 UTC)
    assert versions(warehouse, "A0007") == [
        ("LDN Thames", datetime(2026, 10, 6, 23), datetime(2026, 10, 26), False),
        ("LDN Avon", datetime(2026, 10, 26), FAR_FUTURE, True),
    ]


@pytest.mark.slow
def test_a_day_without_the_agents_row_opens_no_version(warehouse: Path) -> None:
    # A0003 is missing from the file of 10-14 and back unchanged on 10-15: one version, as the snapshot (hard
    # deletes ignored) kept it
    assert versions(warehouse, "A0003") == [("SH Panda", datetime(2026, 10, 6, 16), FAR_FUTURE, True)]


@pytest.mark.slow
def test_version_keys_are_the_snapshots_scd_ids(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select agent_key, agent_id, valid_from_date from marts.dim_agents where is_rostered").fetchall()
    assert rows and all(key == snapshot_scd_id(agent, first_day) for key, agent, first_day in rows)
    moved = sorted((first_day, key) for key, agent, first_day in rows if agent == "A0002")
    assert moved == [(day, snapshot_scd_id("A0002", day)) for day in
                     (date(2026, 10, 7), date(2026, 10, 13), date(2026, 10, 18))]
