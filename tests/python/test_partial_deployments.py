"""Partial deployments, data of any year and unknown ticket statuses (issue 14).

One `ccw run` of a centre that has only a help desk (no phone system, chat, surveys, roster or CRM), in 2020: the
tiny sample with every other system's folder deleted, every date moved back 313 weeks (2026-10-07 -> 2020-10-07,
same weekdays) and a few tickets given Zendesk's statuses `on-hold` and `deleted` and a status outside the mapping.
It must land, build, pass the gates and publish: the calendar and the Dagster partitions follow the data, the
assignees are agents of unknown team built from the help desk's own users, the marts of absent systems are empty,
no day is incomplete because a system is not deployed, and the report leaves out what has no data. Every expected
value is computed here from the raw files.

Cheap checks beside it: the partition start follows the export files unless CCW_PARTITION_START is set, and the
mart gates pass on empty marts.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, background_result, built_in_background, run_ccw

#: 313 weeks: the tiny sample's October 2026 becomes October 2020 on the same weekdays
SHIFT = timedelta(weeks=313)
SYSTEM = "helpdesk"
ENTITIES = ("ticket", "ticket_comment", "ticket_field_history", "user", "group")
#: statuses given to the first rows of the last ticket file (a Zendesk export as the Fivetran connector writes it)
NEW_STATUSES = ("on-hold", "deleted", "archived", "On-Hold", "deleted")
CANONICAL = {"new": "new", "open": "open", "pending": "pending", "hold": "hold", "on-hold": "hold",
             "solved": "solved", "closed": "closed", "deleted": "deleted"}
DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
TEST_PREFIX, TEST_DOMAIN = "TEST", "@example.test"  # dbt vars test_account_prefix / test_account_email_domain


def _shift_day(match: re.Match[str]) -> str:
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return match[0]
    return (day - SHIFT).isoformat()


def move_to_2020(raw: Path) -> None:
    """Every date in every file and file name moved back SHIFT (times of day unchanged); each file's modification
    time set to its new export day, so no file looks late."""
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        day = date.fromisoformat(path.stem) - SHIFT
        target = path.with_name(f"{day.isoformat()}{path.suffix}")
        target.write_text(DAY.sub(_shift_day, text), encoding="utf-8", newline="")
        if target != path:
            path.unlink()
        stamp = datetime(day.year, day.month, day.day, 12).timestamp()
        os.utime(target, (stamp, stamp))


ISO_UTC = re.compile(r"(?<![\d])(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z")
#: columns the Fivetran Zendesk connector adds to every table it syncs, and a few of the ticket table's own
FIVETRAN_COLUMNS = ("_fivetran_synced", "_fivetran_deleted")
FIVETRAN_TICKET_COLUMNS = ("url", "is_public", "brand_id", "custom_region")


def to_fivetran_schema(raw: Path) -> None:
    """Rewrite the help desk's files as the Fivetran connector writes its tables: ``_fivetran_synced`` (the file's
    export day, 02:00 UTC) and ``_fivetran_deleted`` on every table, the ticket table's url, is_public, brand_id and
    a custom field landing does not know (``custom_region``), timestamps spelled ``2020-10-07 03:00:00.000 UTC``, and
    booleans ``TRUE``/``FALSE``. Done after ``move_to_2020``, so this is "Fivetran Zendesk CSVs of 2020"."""
    for path in sorted((raw / SYSTEM).rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            continue
        extra = FIVETRAN_COLUMNS + (FIVETRAN_TICKET_COLUMNS if path.parent.name == "ticket" else ())
        fields = [*rows[0], *extra]
        for row in rows:
            for column, value in list(row.items()):
                value = ISO_UTC.sub(r"\1 \2.000 UTC", value or "")
                row[column] = {"true": "TRUE", "false": "FALSE"}.get(value, value)
            row["_fivetran_synced"], row["_fivetran_deleted"] = f"{path.stem} 02:00:00.000 UTC", "FALSE"
            if path.parent.name == "ticket":
                row.update(url=f"https://acme.zendesk.com/api/v2/tickets/{row['id']}.json", is_public="TRUE",
                           brand_id="11", custom_region="emea")
        stamp = path.stat().st_mtime
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        os.utime(path, (stamp, stamp))


def parse_utc(text: str) -> datetime:
    """A timestamp as the Fivetran files spell it (``... UTC``) or ISO with ``Z``."""
    return datetime.fromisoformat(text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00"))


def set_statuses(raw: Path) -> None:
    last = sorted((raw / SYSTEM / "ticket").glob("*.csv"))[-1]
    with last.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row, status in zip(rows, NEW_STATUSES, strict=False):
        row["status"] = status
    with last.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def read_rows(raw: Path, entity: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted((raw / SYSTEM / entity).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                rows.append({**row, "_export_date": path.stem, "_row_number": number})
    return rows


def newest(rows: list[dict], key: str, time_column: str | None) -> dict[str, dict]:
    """The newest version of each record: by its own time, then the later file, then the later row."""
    def rank(row: dict) -> tuple:
        when = (row.get(time_column or "") or "").strip()
        parsed = parse_utc(when) if when else datetime.min.replace(tzinfo=UTC)
        return parsed, row["_export_date"], row["_row_number"]

    best: dict[str, dict] = {}
    for row in rows:
        record = row[key].strip()
        if record and (record not in best or rank(row) > rank(best[record])):
            best[record] = row
    return best


@dataclass(frozen=True)
class Expected:
    """What the raw files say, computed by hand."""

    export_days: list[date]
    first_record_day: date  # the earliest export day or ticket creation day
    kept_status_counts: Counter  # canonical status of the tickets of real customers, deleted ones left out
    deleted_tickets: int  # staged tickets (any requester) whose newest version is deleted
    unknown_statuses: Counter  # status text outside the mapping -> staged tickets
    agents: set[str]  # help-desk users with role agent or admin, as agent ids
    complete_days: set[date]  # days with a file of every help-desk entity


def expected_from_raw(raw: Path) -> Expected:
    users = newest(read_rows(raw, "user"), "id", None)
    test_users = {uid for uid, u in users.items()
                  if (u.get("external_id") or "").strip().upper().startswith(TEST_PREFIX)
                  or (u.get("email") or "").strip().lower().endswith(TEST_DOMAIN)}
    tickets = newest(read_rows(raw, "ticket"), "id", "updated_at")
    statuses = {tid: (t["status"] or "").strip().lower() for tid, t in tickets.items()}
    kept = Counter()
    for tid, ticket in tickets.items():
        if ticket["requester_id"].strip() in test_users:
            continue
        status = CANONICAL.get(statuses[tid], "other")
        if status != "deleted":
            kept[status] += 1
    days_by_entity = {e: {date.fromisoformat(p.stem) for p in (raw / SYSTEM / e).glob("*.csv")} for e in ENTITIES}
    all_days = sorted(set().union(*days_by_entity.values()))
    created = [parse_utc(t["created_at"]).date()
               for t in read_rows(raw, "ticket") if t["created_at"].strip()]
    return Expected(
        export_days=all_days,
        first_record_day=min([*created, all_days[0]]),
        kept_status_counts=kept,
        deleted_tickets=sum(s == "deleted" for s in statuses.values()),
        unknown_statuses=Counter(s for s in statuses.values() if s and s not in CANONICAL),
        agents={f"helpdesk:{uid}" for uid, u in users.items()
                if (u["role"] or "").strip().lower() in ("agent", "admin")},
        complete_days={d for d in all_days if all(d in days for days in days_by_entity.values())},
    )


@dataclass(frozen=True)
class HelpdeskRun:
    data: Path
    expected: Expected
    returncode: int
    output: str


@built_in_background("helpdesk_only")
def build_helpdesk_only(base: Path) -> HelpdeskRun:
    """The help desk alone, moved to 2020, through `ccw run` (started at session start in a background thread)."""
    data = base / "data"
    generated = run_ccw(data, "generate", "--preset", "tiny")
    assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
    raw = data / "raw"
    for folder in raw.iterdir():
        if folder.name != SYSTEM:
            shutil.rmtree(folder)
    move_to_2020(raw)
    to_fivetran_schema(raw)
    set_statuses(raw)
    expected = expected_from_raw(raw)
    assert expected.export_days[0].year == 2020 and expected.deleted_tickets >= 1 and expected.unknown_statuses
    result = run_ccw(data, "run")
    return HelpdeskRun(data=data, expected=expected, returncode=result.returncode,
                       output=result.stdout + result.stderr)


@pytest.fixture(scope="module")
def helpdesk_only(tmp_path_factory: pytest.TempPathFactory) -> HelpdeskRun:
    return background_result("helpdesk_only", tmp_path_factory)


def serving(run: HelpdeskRun) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(run.data / "warehouse.duckdb"), read_only=True)


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def test_a_help_desk_alone_of_2020_builds_and_publishes(helpdesk_only: HelpdeskRun) -> None:
    assert helpdesk_only.returncode == 0, helpdesk_only.output[-6000:]
    assert (helpdesk_only.data / "warehouse.duckdb").is_file()
    assert "before the first partition" not in helpdesk_only.output  # the partitions start at the data's first day
    # the files are in the Fivetran schema: the unknown custom field is kept and reported, never refused
    assert "schema drift" in helpdesk_only.output and "custom_region" in helpdesk_only.output
    with duckdb.connect(str(helpdesk_only.data / "build" / "warehouse.duckdb"), read_only=True) as con:
        kept = scalar(con, "select count(*) from raw.helpdesk__ticket "
                           "where json_extract_string(_extra, '$.custom_region') = 'emea'")
        landed = scalar(con, "select count(*) from raw.helpdesk__ticket")
    assert kept == landed > 0
    with serving(helpdesk_only) as con:  # ticket KPIs are published, dated in 2020
        first, tickets = con.execute("select min(created_date_local), count(*) from marts.fct_tickets").fetchone()
    assert first.year == 2020 and tickets > 0  # the counts by status: test_ticket_statuses_on_hold_deleted_...


def test_ticket_statuses_on_hold_deleted_and_unknown(helpdesk_only: HelpdeskRun) -> None:
    """on-hold is hold, an unknown status is other, deleted tickets are in no KPI mart; counts from the CSVs."""
    expected = helpdesk_only.expected
    with serving(helpdesk_only) as con:
        counts = Counter(dict(con.execute("select status, count(*) from marts.fct_tickets group by status").fetchall()))
        assert counts == expected.kept_status_counts
        assert scalar(con, "select count(*) from marts.fct_contacts") == sum(expected.kept_status_counts.values())
        assert {r[0] for r in con.execute("select distinct channel from marts.fct_contacts").fetchall()} <= {
            "email", "web_form"}
        quality = con.execute(
            "select check_name, reason, severity, sum(rows_affected) from marts.data_quality_daily "
            "where raw_table = 'helpdesk__ticket' and check_name in ('deleted_tickets', 'unknown_ticket_status') "
            "group by all"
        ).fetchall()
    deleted = [row for row in quality if row[0] == "deleted_tickets"]
    assert [(row[2], row[3]) for row in deleted] == [("info", expected.deleted_tickets)]
    unknown = {row[1]: row[3] for row in quality if row[0] == "unknown_ticket_status"}
    assert unknown == {f"ticket status not in the mapping, counted as other: {value}": n
                       for value, n in expected.unknown_statuses.items()}


def test_assignees_are_agents_of_unknown_team_from_the_help_desk_users(helpdesk_only: HelpdeskRun) -> None:
    with serving(helpdesk_only) as con:
        agents = con.execute("select agent_id, team, is_rostered from marts.dim_agents").fetchall()
        handled = con.execute(
            "select count(*), count(distinct agent_id) from marts.fct_contacts where agent_id is not null"
        ).fetchone()
        unknown = scalar(con, "select count(*) from marts.fct_contacts c left join marts.dim_agents a "
                              "on c.agent_id = a.agent_id where c.agent_id is not null and a.agent_id is null")
        team_rows = scalar(con, "select count(*) from marts.kpi_team_monthly")
        agent_days = scalar(con, "select count(*) from marts.kpi_agent_daily")
    assert {a[0] for a in agents} == helpdesk_only.expected.agents
    assert {(a[1], a[2]) for a in agents} == {(None, False)}
    assert handled[0] > 0 and handled[1] > 0 and unknown == 0
    assert agent_days > 0 and team_rows == 0  # agent KPIs, but no team is known


def test_marts_of_absent_systems_are_empty(helpdesk_only: HelpdeskRun) -> None:
    with serving(helpdesk_only) as con:
        for mart in ("fct_agent_states", "fct_schedules", "fct_orders", "fct_survey_responses",
                     "kpi_customer_source_daily"):
            assert scalar(con, f"select count(*) from marts.{mart}") == 0, mart
        assert scalar(con, "select count(*) from marts.fct_contacts where channel in ('phone', 'chat')") == 0


def test_a_system_not_deployed_makes_no_day_incomplete(helpdesk_only: HelpdeskRun) -> None:
    expected = helpdesk_only.expected
    with serving(helpdesk_only) as con:
        sources = {r[0] for r in con.execute("select distinct raw_table from marts.data_completeness_daily").fetchall()}
        days = dict(con.execute("select date_day, bool_and(is_complete_day) from marts.data_completeness_daily "
                                "group by date_day").fetchall())
    assert sources == {f"{SYSTEM}__{e}" for e in ENTITIES}
    assert set(days) == set(expected.export_days)
    assert {d for d, complete in days.items() if complete} == expected.complete_days


def test_the_calendar_follows_the_data(helpdesk_only: HelpdeskRun) -> None:
    """dim_date starts on 1 January of the data's first year (of the day before its first day: a UTC instant on
    1 January can be 31 December locally), not a fixed 2025, and holds every KPI date."""
    first = helpdesk_only.expected.first_record_day - timedelta(days=1)
    with serving(helpdesk_only) as con:
        start, end = con.execute("select min(date_day), max(date_day) from marts.dim_date").fetchone()
        outside = scalar(con, "select count(*) from marts.kpi_service_daily k left join marts.dim_date d "
                              "on k.date_day = d.date_day where d.date_day is null")
        kpi_days = scalar(con, "select count(*) from marts.kpi_service_daily")
    assert start == date(first.year, 1, 1)
    assert (end.month, end.day) == (12, 31) and end >= date(helpdesk_only.expected.export_days[-1].year, 12, 31)
    assert kpi_days > 0 and outside == 0


def test_a_year_without_holidays_warns_and_never_fails(helpdesk_only: HelpdeskRun) -> None:
    """seeds/holidays.csv has no 2020: the data test assert_holidays_cover_the_years_of_contacts warns once per site
    whose business-hours queue (seeds/queues.csv: a help-desk group -> queue -> site) has tickets, and the run still
    passes."""
    with (ROOT / "seeds" / "queues.csv").open(encoding="utf-8", newline="") as handle:
        site_of_group = {q["source_queue_ref"]: q["site"] for q in csv.DictReader(handle)
                         if q["source_system"] == SYSTEM and q["business_hours_schedule"]}
    tickets = read_rows(helpdesk_only.data / "raw", "ticket")
    sites = {site_of_group[t["group_id"].strip()] for t in tickets if t["group_id"].strip() in site_of_group}
    years = {parse_utc(t["created_at"]).year for t in tickets if t["created_at"].strip()}
    assert years == {2020} and len(sites) == 2  # the sample's two help-desk queues, in London and Shanghai
    warned = re.search(r"WARN (\d+) assert_holidays_cover_the_years_of_contacts", helpdesk_only.output)
    assert warned, "the holiday coverage test did not warn"
    assert int(warned[1]) == len(sites)
    assert helpdesk_only.returncode == 0


def test_the_report_leaves_out_sections_without_data(helpdesk_only: HelpdeskRun) -> None:
    html = (helpdesk_only.data / "report" / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section id="sec-([a-z_]+)"', html)
    assert "backlog" in sections and "sources" not in sections  # tickets yes, chat sources no
    assert "No data in the published marts for this section." not in html


# ------------------------------------------------------------------------------------------------ cheap checks
def test_the_partition_start_follows_the_export_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ccw_orchestration.settings import OrchestrationSettings

    for relative in ("helpdesk/ticket/2020-03-04.csv", "helpdesk/user/2020-03-02.csv", "helpdesk/ticket/bad.csv"):
        (tmp_path / "raw" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "raw" / relative).write_text("id\n1\n", encoding="utf-8")
    for name in [k for k in os.environ if k.startswith("CCW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CCW_DATA_DIR", str(tmp_path))
    assert OrchestrationSettings.from_env().partition_start == date(2020, 3, 2)
    monkeypatch.setenv("CCW_PARTITION_START", "2019-12-30")
    assert OrchestrationSettings.from_env().partition_start == date(2019, 12, 30)
    monkeypatch.delenv("CCW_PARTITION_START")
    monkeypatch.setenv("CCW_DATA_DIR", str(tmp_path / "empty"))
    assert OrchestrationSettings.from_env().partition_start == OrchestrationSettings.partition_start


def test_mart_gates_pass_on_empty_marts(tmp_path: Path) -> None:
    """A centre without a system has empty marts: no reconciliation, share or missing-day rule fails on them."""
    from ccw.quality import run_mart_gates
    from test_quality_mart_gates import _build

    database = tmp_path / "build" / "warehouse.duckdb"
    database.parent.mkdir()
    with duckdb.connect(str(database)) as con:
        _build(con)
        for (table,) in con.execute("select table_schema || '.' || table_name from information_schema.tables "
                                    "where table_schema in ('marts', 'staging')").fetchall():
            con.execute(f"delete from {table}")
    report = run_mart_gates(database, tmp_path)
    assert report.ok, report.render()


def test_every_zendesk_time_zone_names_a_zone_of_the_tz_database() -> None:
    """seeds/zendesk_time_zones.csv maps Zendesk's zone names to IANA zones; a wrong one would stop every time-zone
    conversion of the agents that use it."""
    import zoneinfo

    seed = Path(__file__).resolve().parents[2] / "seeds" / "zendesk_time_zones.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 50
    assert not [r for r in rows if r["iana_time_zone"] not in zoneinfo.available_timezones()]
    assert {r["time_zone_name"]: r["iana_time_zone"] for r in rows}["Beijing"] == "Asia/Shanghai"
