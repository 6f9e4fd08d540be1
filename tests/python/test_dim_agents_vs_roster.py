"""dim_agents (SCD type 2 derived in SQL from the daily roster) agrees with the daily roster files of the shared run.

Independent side: the roster CSV files read with the csv module; per agent, the runs of consecutive export days
with the same tracked attributes (padding trimmed, empty as null, site and status lower-cased, as staging does; a
day without the agent's row neither ends nor splits a run, as dbt's snapshot with hard deletes ignored did); each
run is one version starting at local midnight of its first day in the site's time zone (zoneinfo, so the London
DST change is handled by the standard library, not by the code under test), keyed as dbt's timestamp snapshot keyed
it (dbt_scd_id = md5 of '<agent_id>|<first day> 00:00:00'), so the facts' agent_key values did not change.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from conftest import PipelineRun

TRACKED = ("username", "helpdesk_user_id", "chat_agent_id", "full_name", "email", "team", "site", "site_time_zone",
           "supervisor_id", "hire_date", "employment_status")
PADDING = " \t\r\n\u00a0\u3000"


def clean(value: str | None) -> str | None:
    value = (value or "").strip(PADDING)
    return value or None


def snapshot_scd_id(agent_id: str, first_day: date) -> str:
    """dbt's snapshot version key (default__snapshot_hash_arguments of dbt-core: md5 of the unique key and the
    updated_at timestamp as text, joined with '|'); updated_at was the first roster day at midnight."""
    return hashlib.md5(f"{agent_id}|{first_day.isoformat()} 00:00:00".encode()).hexdigest()


def roster_versions(raw_root: Path) -> set[tuple[str, str, str | None, datetime]]:
    """(agent_key, agent_id, team, valid_from UTC naive) of every version the roster files imply."""
    days: dict[str, dict[date, tuple]] = {}
    for path in sorted((raw_root / "workforce" / "agents").glob("*.csv")):
        day = date.fromisoformat(path.stem)
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                agent = clean(row["agent_id"])
                if agent is None:
                    continue
                values = {k: clean(row.get(k)) for k in TRACKED}
                for k in ("site", "employment_status"):
                    values[k] = values[k].lower() if values[k] else None
                days.setdefault(agent, {})[day] = tuple(values[k] for k in TRACKED)  # last row of the day wins
    versions = set()
    for agent, by_day in days.items():
        previous = None
        for day in sorted(by_day):
            attributes = by_day[day]
            if attributes != previous:
                zone = ZoneInfo(attributes[TRACKED.index("site_time_zone")] or "UTC")
                local_midnight = datetime.combine(day, time(0), tzinfo=zone)
                valid_from = local_midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
                versions.add((snapshot_scd_id(agent, day), agent, attributes[TRACKED.index("team")], valid_from))
            previous = attributes
    return versions


def test_every_roster_change_is_one_version_starting_at_local_midnight(built_sample: PipelineRun) -> None:
    expected = roster_versions(built_sample.raw_root)
    with duckdb.connect(str(built_sample.build_warehouse), read_only=True) as con:
        # agents no roster knows (the help desk's admins, is_rostered false) are not roster versions
        actual = set(con.execute(
            "select agent_key, agent_id, team, valid_from from marts.dim_agents where is_rostered").fetchall())
    agents = {agent for _, agent, _, _ in expected}
    assert len(expected) > len(agents), "the sample must contain roster changes for this test to mean anything"
    assert actual == expected


def test_versions_of_an_agent_are_contiguous_and_one_is_current(built_sample: PipelineRun) -> None:
    with duckdb.connect(str(built_sample.build_warehouse), read_only=True) as con:
        gaps = con.execute(
            """
            select count(*) from (
                select valid_to, lead(valid_from) over (partition by agent_id order by valid_from) as next_from
                from marts.dim_agents
            ) where next_from is not null and next_from <> valid_to
            """
        ).fetchone()[0]
        not_one_current = con.execute(
            "select count(*) from (select agent_id from marts.dim_agents group by agent_id"
            " having sum(case when is_current then 1 else 0 end) <> 1)"
        ).fetchone()[0]
    assert (gaps, not_one_current) == (0, 0)
