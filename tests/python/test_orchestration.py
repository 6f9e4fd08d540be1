"""The Dagster code location on a tiny sample: definitions load, lineage, a three-day backfill in one run, blocking
checks (a dbt test, a GX gate) stopping what is downstream, a locked build file retried, the schedule's partition
across the London DST changes, and the shared `ccw run` (tests/python/conftest.py) going through Dagster.

One tiny sample is generated for the module; the backfill lands it, runs the raw gates and builds two staging models
(not the whole graph: the shared default run is that proof). Later tests reuse that build database.
"""

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from ccw.exports import ENTITIES
from ccw.generate import GeneratorConfig, generate
from ccw_orchestration.assets import unit_test_state
from ccw_orchestration.assets.dbt import DBT_PROJECT
from ccw_orchestration.assets.dbt_manifest import load_manifest
from ccw_orchestration.definitions import DAILY_JOB, LAND_JOB, build_definitions
from ccw_orchestration.partitions import daily_partitions
from ccw_orchestration.resources import WarehouseResource
from ccw_orchestration.run import execute_daily
from ccw_orchestration.settings import OrchestrationSettings
from conftest import ROOT, PipelineRun, background_result, built_in_background, environ_copy

LONDON = ZoneInfo("Europe/London")
SETTINGS = OrchestrationSettings(timezone="Europe/London", file_settle_seconds=0, transient_retries=3,
                                 retry_delay_seconds=1)
BACKFILL = ("2026-10-24", "2026-10-25", "2026-10-26")  # the 25th is 25 hours long in London
ORDERS = dg.AssetKey(["staging", "stg_crm__orders"])
STAGING = (ORDERS, dg.AssetKey(["staging", "stg_crm__customers"]))  # what the backfill builds beyond landing
AGENT_EVENTS = dg.AssetKey(["raw", "telephony__agent_events"])
PROBE_CALLS: list[str] = []
_PARTITIONS = daily_partitions(SETTINGS)


@dg.asset(key=["probe", "after_orders"], deps=[ORDERS], partitions_def=_PARTITIONS)
def probe_after_orders() -> None:
    """A non-dbt asset downstream of a dbt model: must not run after a failed blocking dbt test."""
    PROBE_CALLS.append("after_orders")


@dg.asset(key=["probe", "after_agent_events"], deps=[AGENT_EVENTS], partitions_def=_PARTITIONS)
def probe_after_agent_events() -> None:
    """Downstream of a raw table: must not run after its GX gate failed."""
    PROBE_CALLS.append("after_agent_events")


@dataclass
class Tiny:
    data_dir: Path
    defs: dg.Definitions
    instance: dg.DagsterInstance
    backfill: dg.ExecuteInProcessResult
    selected: list[dg.AssetKey]

    @property
    def build(self) -> Path:
        return self.data_dir / "build" / "warehouse.duckdb"


def _resources(data_dir: Path) -> dict[str, object]:
    return {"warehouse": WarehouseResource(
        data_dir=str(data_dir), raw_root=str(data_dir / "raw"),
        build_warehouse=str(data_dir / "build" / "warehouse.duckdb"), warehouse=str(data_dir / "warehouse.duckdb"),
    )}


def _keys_in_groups(defs: dg.Definitions, *groups: str) -> list[dg.AssetKey]:
    graph = defs.get_repository_def().asset_graph
    return sorted((k for k in graph.get_all_asset_keys() if graph.get(k).group_name in groups),
                  key=lambda k: k.to_user_string())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Tiny:
    data_dir = tmp_path_factory.mktemp("orchestration_tiny")
    generate(GeneratorConfig.preset("tiny"), data_dir / "raw")
    defs = build_definitions(SETTINGS, _resources(data_dir), extra_assets=[probe_after_orders,
                                                                           probe_after_agent_events])
    selected = [*_keys_in_groups(defs, "land"), *STAGING]
    instance = dg.DagsterInstance.ephemeral()
    backfill = execute_daily(date.fromisoformat(BACKFILL[0]), date.fromisoformat(BACKFILL[-1]),
                             asset_selection=selected, dagster_instance=instance, definitions=defs)
    return Tiny(data_dir, defs, instance, backfill, selected)


def _run_logs(instance: dg.DagsterInstance, run_id: str) -> str:
    return "\n".join(e.user_message for e in instance.all_logs(run_id))


# ------------------------------------------------------------------------------------------------ definitions
@built_in_background("definitions_validation")
def validate_definitions(base: Path) -> subprocess.CompletedProcess[str]:
    """`dagster definitions validate` in a child process from session start (about 45 s on a clean clone: it loads
    the code location and prepares the dbt project)."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    return subprocess.run(
        [dagster, "definitions", "validate", "-m", "ccw_orchestration.definitions"],
        cwd=ROOT, env={**environ_copy(), "DAGSTER_HOME": str(base)}, capture_output=True, text=True, timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def definitions_validation(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    return background_result("definitions_validation", tmp_path_factory)


def test_definitions_validate_from_the_command_line(
    definitions_validation: subprocess.CompletedProcess[str],
) -> None:
    result = definitions_validation
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Validation successful for code location ccw_orchestration.definitions" in result.stdout + result.stderr


def test_lineage_from_raw_exports_to_the_analysis_marts(tiny: Tiny) -> None:
    graph = tiny.defs.get_repository_def().asset_graph
    staging = graph.get(ORDERS)
    assert dg.AssetKey(["raw", "crm__orders"]) in staging.parent_keys, "dbt sources are the landing assets"
    landing = graph.get(dg.AssetKey(["raw", "crm__orders"]))
    assert landing.group_name == "land" and not landing.is_external
    forecast = graph.get(dg.AssetKey(["marts", "forecast_contact_volume"]))
    assert forecast.group_name == "analysis"
    ancestors, todo = set(), [forecast.key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys - ancestors:
            ancestors.add(parent)
            todo.append(parent)
    chain = {dg.AssetKey(["raw", "telephony__contact_records"]),
             dg.AssetKey(["staging", "stg_telephony__contact_records"]), dg.AssetKey(["marts", "fct_contacts"])}
    assert chain <= ancestors, "raw -> staging -> marts -> analysis"
    assert {k.path[0] for k in ancestors} <= {"raw", "reference", "staging", "intermediate", "marts"}
    dbt_check = dg.AssetCheckKey(dg.AssetKey(["marts", "kpi_service_daily"]),
                                 "assert_kpi_service_daily_reconciles_with_fct_contacts")
    assert graph.get_check_spec(dbt_check).blocking, "a multi-relation singular test is a blocking check"
    gx_check = dg.AssetCheckKey(dg.AssetKey(["raw", "crm__orders"]), "gx_raw_gate")
    assert graph.get_check_spec(gx_check).blocking
    jobs = {j.name for j in tiny.defs.resolve_all_job_defs()}
    assert {DAILY_JOB, LAND_JOB} <= jobs
    for assets_def in tiny.defs.assets:
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.op.name in ("land_raw_exports", "dbt_build"):
            assert assets_def.backfill_policy == dg.BackfillPolicy.single_run()
            assert assets_def.op.pool == "ccw_build_db"


# ------------------------------------------------------------------------------------------------ backfill
def test_a_backfill_of_three_days_is_one_run_building_exactly_those_partitions(tiny: Tiny) -> None:
    assert tiny.backfill.success, _run_logs(tiny.instance, tiny.backfill.run_id)[-5000:]
    assert len(tiny.instance.get_runs()) == 1
    assert len(tiny.selected) == len(ENTITIES) + 2 + 2, "raw tables, landing manifest and quarantine, 2 staging"
    for key in tiny.selected:
        assert tiny.instance.get_materialized_partitions(key) == set(BACKFILL), key
    logs = _run_logs(tiny.instance, tiny.backfill.run_id)
    assert "dbt build for the window CCW_WINDOW_START=2026-10-24, CCW_WINDOW_END=2026-10-27" in logs
    checks = tiny.backfill.get_asset_check_evaluations()
    assert {c.check_name for c in checks if c.asset_key == ORDERS} >= {
        "unique_stg_crm__orders_order_id", "accepted_values_stg_crm__orders_status__paid__refunded__cancelled"}
    raw_gates = [c for c in checks if c.check_name == "gx_raw_gate"]
    assert len(raw_gates) == len(ENTITIES)
    assert all(c.passed or c.severity == dg.AssetCheckSeverity.WARN for c in raw_gates)


# ------------------------------------------------------------------------------------------------ blocking checks
def test_a_failing_dbt_test_stops_the_python_asset_downstream_and_fails_the_run(tiny: Tiny) -> None:
    con = duckdb.connect(str(tiny.build))
    try:  # an order whose every version has a status outside paid/refunded/cancelled, landed again (a corrected
        # file gets a new _landed_at, which is what the incremental staging table reads)
        victim = con.execute("select min(order_id) from raw.crm__orders").fetchone()[0]
        con.execute("update raw.crm__orders set status = 'disputed', _landed_at = current_timestamp::timestamp "
                    "where order_id = ?", [victim])
    finally:
        con.close()
    PROBE_CALLS.clear()
    # the backfill's days again: same dbt vars, so dbt parses partially (a new window costs a full parse)
    result = execute_daily(date.fromisoformat(BACKFILL[0]), date.fromisoformat(BACKFILL[-1]),
                           asset_selection=[ORDERS, probe_after_orders.key], dagster_instance=tiny.instance,
                           definitions=tiny.defs)
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [(c.asset_key, c.check_name) for c in failed] == [
        (ORDERS, "accepted_values_stg_crm__orders_status__paid__refunded__cancelled")]
    assert PROBE_CALLS == [], "the non-dbt asset ran after a failed blocking dbt test"
    assert not result.success, "the run is marked successful despite a failed blocking dbt test"
    assert probe_after_orders.key not in {e.asset_key for e in result.get_asset_materialization_events()}


def test_a_failing_gx_gate_stops_what_is_downstream_of_its_raw_table(tiny: Tiny, tmp_path: Path) -> None:
    shutil.copytree(tiny.data_dir / "raw", tmp_path / "raw")
    (tmp_path / "build").mkdir()
    shutil.copy2(tiny.build, tmp_path / "build" / "warehouse.duckdb")
    victim = tmp_path / "raw" / "telephony" / "agent_events" / "2026-10-24.jsonl"
    lines = victim.read_text(encoding="utf-8").splitlines()
    # a third of the events come from usernames neither the roster nor the phone system knows: above the 20 % share
    # that stops the run (an untrusted file would be set aside whole instead, and the run would go on)
    for i in range(0, len(lines), 3):
        record = json.loads(lines[i])
        record["Username"] = f"ghost-{i}"
        lines[i] = json.dumps(record)
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
    defs = build_definitions(SETTINGS, _resources(tmp_path), extra_assets=[probe_after_orders,
                                                                          probe_after_agent_events])
    PROBE_CALLS.clear()
    result = execute_daily(date(2026, 10, 24),
                           asset_selection=[*_keys_in_groups(defs, "land"), probe_after_agent_events.key],
                           dagster_instance=dg.DagsterInstance.ephemeral(), definitions=defs)
    gate = next(c for c in result.get_asset_check_evaluations()
                if c.asset_key == AGENT_EVENTS and c.check_name == "gx_raw_gate")
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR
    assert "telephony/agent_events/2026-10-24.jsonl" in gate.metadata["findings"].value
    assert PROBE_CALLS == [] and not result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries == [], "a data error is not retried"


# ------------------------------------------------------------------------------------------------ retries
def test_landing_waits_for_a_build_file_held_by_another_process(tiny: Tiny) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
                               " time.sleep(2.5)", str(tiny.build)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = execute_daily(date(2026, 10, 26), asset_selection=_keys_in_groups(tiny.defs, "land"),
                               dagster_instance=tiny.instance, definitions=tiny.defs, check_selection=set())
    finally:
        holder.wait(timeout=30)
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert result.success and retries, _run_logs(tiny.instance, result.run_id)[-3000:]
    assert "is locked by another process" in _run_logs(tiny.instance, result.run_id)


# ------------------------------------------------------------------------------------------------ schedule
@pytest.mark.parametrize(("tick", "partition"), [
    (datetime(2026, 3, 28, 6, 0, tzinfo=LONDON), "2026-03-27"),   # GMT
    (datetime(2026, 3, 29, 6, 0, tzinfo=LONDON), "2026-03-28"),   # the first BST morning (the 28th was 24 h)
    (datetime(2026, 3, 30, 6, 0, tzinfo=LONDON), "2026-03-29"),   # after the 23-hour day
    (datetime(2026, 10, 25, 6, 0, tzinfo=LONDON), "2026-10-24"),  # the first GMT morning
    (datetime(2026, 10, 26, 6, 0, tzinfo=LONDON), "2026-10-25"),  # after the 25-hour day
])
def test_the_daily_schedule_builds_yesterday_across_dst_changes(tiny: Tiny, tick: datetime, partition: str) -> None:
    schedule = tiny.defs.get_schedule_def("daily_build_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "Europe/London")
    with dg.build_schedule_context(scheduled_execution_time=tick,
                                   repository_def=tiny.defs.get_repository_def()) as context:
        data = schedule.evaluate_tick(context)
    assert [r.partition_key for r in data.run_requests] == [partition]


def test_a_schedule_just_after_local_midnight_uses_the_local_day_not_the_utc_one() -> None:
    settings = OrchestrationSettings(timezone="Europe/London", schedule_time=time(0, 30))
    partitions = daily_partitions(settings)

    @dg.asset(partitions_def=partitions)
    def day() -> None: ...

    from ccw_orchestration.schedules import build_daily_schedule

    job = dg.define_asset_job(DAILY_JOB, selection=[day])
    defs = dg.Definitions(assets=[day], jobs=[job], schedules=[build_daily_schedule(settings, job)])
    schedule = defs.get_schedule_def("daily_build_schedule")
    ticks = {  # 00:30 BST is 23:30 UTC the day before: in UTC, "yesterday" would be one day earlier
        datetime(2026, 3, 30, 0, 30, tzinfo=LONDON): "2026-03-29",
        datetime(2026, 10, 25, 0, 30, tzinfo=LONDON): "2026-10-24",
        datetime(2026, 10, 26, 0, 30, tzinfo=LONDON): "2026-10-25",
    }
    for tick, partition in ticks.items():
        with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def()) as ctx:
            assert [r.partition_key for r in schedule.evaluate_tick(ctx).run_requests] == [partition], tick


# ------------------------------------------------------------------------------------------------ the shared run
def test_the_shared_sample_run_went_through_dagster(built_sample: PipelineRun) -> None:
    assert "Dagster: daily_build for " in built_sample.output
    line = next(x for x in built_sample.output.splitlines() if x.startswith("Dagster run "))
    built, expected = (int(n) for n in line.split("materialised ")[1].split(" assets")[0].split(" of "))
    assert "success" in line and built == expected and expected > 100, line
    assert "Warehouse summary" in built_sample.output
    assert f"serving file (BI tools, read-only): {built_sample.warehouse}\n" in built_sample.output
    assert f"daily report: {(built_sample.data_dir / 'report' / 'index.html').as_uri()}" in built_sample.output
    # ccw's exit skips the interpreter's teardown (ccw.cli.entry): neither DuckDB's nanobind lines nor the resource
    # tracker's warning about the semaphores it unlinks after that exit
    assert "nanobind: leaked" not in built_sample.output
    assert "leaked semaphore" not in built_sample.output


def test_the_shared_run_recorded_that_its_unit_tests_passed_on_this_project(built_sample: PipelineRun) -> None:
    """Its whole build ran every unit test and passed, so the next daily build of that folder leaves them out until
    the project changes (unit_test_state; the signature's rules: test_unit_test_state.py)."""
    manifest = load_manifest(DBT_PROJECT.manifest_path)
    record = json.loads(unit_test_state.state_path(built_sample.build_warehouse).read_text(encoding="utf-8"))
    assert record["signature"] == unit_test_state.project_signature(manifest)
    assert record["unit_tests"] == len(manifest["unit_tests"]) > 100
