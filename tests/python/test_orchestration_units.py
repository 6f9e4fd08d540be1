"""Dagster pieces that need no dbt build: the raw-file sensor, transient-only retries, alerts, settings, and the
attachment of multi-relation dbt tests to one asset."""

import json
import os
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest

from ccw.land import WarehouseLockedError
from ccw_orchestration.alerts import write_alert
from ccw_orchestration.assets.dbt_manifest import attached_relation, load_manifest
from ccw_orchestration.assets.landing import build_landing_assets
from ccw_orchestration.partitions import daily_partitions, window_days
from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource
from ccw_orchestration.retries import FileStillBeingWrittenError, retry_transient
from ccw_orchestration.sensors.alert_sensor import build_alert_sensor
from ccw_orchestration.sensors.raw_files import build_raw_files_sensor
from ccw_orchestration.settings import OrchestrationSettings

LONDON = OrchestrationSettings(timezone="Europe/London", file_settle_seconds=30)


# ------------------------------------------------------------------------------------------------ the sensor
@pytest.fixture()
def sensor_setup(tmp_path: Path):
    landing = build_landing_assets(LONDON, daily_partitions(LONDON))
    job = dg.define_asset_job("land_raw_exports_job", selection=dg.AssetSelection.assets(landing))
    sensor = build_raw_files_sensor(LONDON, job, daily_partitions(LONDON))
    raw_root = tmp_path / "raw"
    resources = {"warehouse": WarehouseResource(raw_root=str(raw_root), data_dir=str(tmp_path)),
                 "spark_worker": SparkWorkerResource()}
    defs = dg.Definitions(assets=[landing], jobs=[job], sensors=[sensor], resources=resources)
    return sensor, raw_root, defs


def _write(raw_root: Path, relative: str, content: bytes, age_seconds: float = 120) -> Path:
    path = raw_root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def _tick(sensor: dg.SensorDefinition, defs: dg.Definitions, cursor: str | None):
    resources = {"warehouse": defs.resources["warehouse"]}
    with dg.build_sensor_context(cursor=cursor, definitions=defs, resources=resources) as context:
        return sensor.evaluate_tick(context)


def test_sensor_requests_one_run_per_changed_day_and_none_for_unchanged_files(sensor_setup) -> None:
    sensor, raw_root, defs = sensor_setup
    _write(raw_root, "crm/orders/2026-10-24.parquet", b"orders of the 24th")
    _write(raw_root, "crm/customers/2026-10-24.csv", b"customers of the 24th")

    first = _tick(sensor, defs, None)
    assert [r.partition_key for r in first.run_requests] == ["2026-10-24"], "two new files of one day: one run"
    assert first.run_requests[0].tags["ccw/changed_files"] == "2"

    unchanged = _tick(sensor, defs, first.cursor)
    assert unchanged.run_requests == [] and "no new or changed export file" in unchanged.skip_message

    _write(raw_root, "telephony/contact_records/2026-10-25.jsonl", b'{"ContactId": "c1"}\n')
    new_file = _tick(sensor, defs, unchanged.cursor)
    assert [r.partition_key for r in new_file.run_requests] == ["2026-10-25"]

    touched = _write(raw_root, "crm/orders/2026-10-24.parquet", b"orders of the 24th", age_seconds=60)
    assert json.loads(new_file.cursor)["crm/orders/2026-10-24.parquet"][1] != touched.stat().st_mtime_ns
    after_touch = _tick(sensor, defs, new_file.cursor)
    assert after_touch.run_requests == [], "same bytes, new mtime: no run"

    _write(raw_root, "crm/orders/2026-10-24.parquet", b"orders of the 24th, re-sent with a refund")
    resent = _tick(sensor, defs, after_touch.cursor)
    assert [r.partition_key for r in resent.run_requests] == ["2026-10-24"]
    assert resent.run_requests[0].run_key != first.run_requests[0].run_key, "a new content is a new run key"


def test_sensor_waits_for_a_file_still_being_written_and_for_a_day_without_partition(sensor_setup) -> None:
    sensor, raw_root, defs = sensor_setup
    _write(raw_root, "chat/sessions/2026-10-24.jsonl", b"{}\n", age_seconds=2)  # settle time is 30 s
    _write(raw_root, "chat/sessions/2999-01-01.jsonl", b"{}\n")  # no partition for that day yet
    busy = _tick(sensor, defs, None)
    assert busy.run_requests == []
    assert json.loads(busy.cursor) == {}, "neither file is remembered: both are looked at again next tick"

    _write(raw_root, "chat/sessions/2026-10-24.jsonl", b"{}\n", age_seconds=40)
    settled = _tick(sensor, defs, busy.cursor)
    assert [r.partition_key for r in settled.run_requests] == ["2026-10-24"]


# ------------------------------------------------------------------------------------------------ retries
def _retry_job(error: Exception, fail_times: int, attempts: list[int]) -> dg.JobDefinition:
    settings = OrchestrationSettings(transient_retries=2, retry_delay_seconds=0)

    @dg.op
    def step(context: dg.OpExecutionContext) -> None:
        attempts.append(context.retry_number)
        with retry_transient(context, settings):
            if len(attempts) <= fail_times:
                raise error

    @dg.job
    def job() -> None:
        step()

    return job


@pytest.mark.parametrize("error", [WarehouseLockedError("held by pid 42"), FileStillBeingWrittenError("busy")])
def test_transient_errors_are_retried_until_they_clear(error: Exception) -> None:
    attempts: list[int] = []
    result = _retry_job(error, 2, attempts).execute_in_process(raise_on_error=False)
    assert result.success and attempts == [0, 1, 2]


def test_transient_retries_stop_at_the_limit() -> None:
    attempts: list[int] = []
    result = _retry_job(WarehouseLockedError("held"), 5, attempts).execute_in_process(raise_on_error=False)
    assert not result.success and attempts == [0, 1, 2]


def test_data_errors_are_not_retried() -> None:
    attempts: list[int] = []
    result = _retry_job(ValueError("raw.crm__orders: 3 rows with an unknown status"), 1, attempts)\
        .execute_in_process(raise_on_error=False)
    assert not result.success and attempts == [0]


# ------------------------------------------------------------------------------------------------ alerts
class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _failed_run() -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    @dg.op
    def dbt_build() -> None:
        raise ValueError("accepted_values_stg_crm__orders_status failed: 1 row")

    @dg.job(name="daily_build")
    def job() -> None:
        dbt_build()

    instance = dg.DagsterInstance.ephemeral()
    return instance, job.execute_in_process(instance=instance, raise_on_error=False)


def test_run_failure_sensor_writes_an_alert_file_and_posts_to_the_webhook(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received.clear()
    try:
        settings = OrchestrationSettings(alert_webhook=f"http://127.0.0.1:{server.server_port}/alerts")
        sensor = build_alert_sensor(settings)
        instance, result = _failed_run()
        run = instance.get_run_by_id(result.run_id)
        failure = next(e.dagster_event for e in instance.all_logs(result.run_id)
                       if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=failure, dagster_instance=instance, dagster_run=run,
            resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))},
        ).for_run_failure()
        sensor(context)
    finally:
        server.shutdown()

    [path] = list((tmp_path / "alerts").glob("*.json"))
    alert = json.loads(path.read_text(encoding="utf-8"))
    assert path.name.endswith(f"-{result.run_id[:8]}.json")
    assert alert["run_id"] == result.run_id and alert["job"] == "daily_build"
    assert [s["step"] for s in alert["failed_steps"]] == ["dbt_build"]
    assert "accepted_values_stg_crm__orders_status failed: 1 row" in alert["failed_steps"][0]["error"]
    assert alert["webhook_status"] == 204
    assert len(_Hook.received) == 1 and _Hook.received[0]["run_id"] == result.run_id


def test_an_unreachable_webhook_is_recorded_in_the_alert_file_not_raised(tmp_path: Path) -> None:
    path = write_alert(tmp_path, {"run_id": "0123456789", "job": "daily_build"}, "http://127.0.0.1:9/none")
    alert = json.loads(path.read_text(encoding="utf-8"))
    assert alert["run_id"] == "0123456789" and "webhook_error" in alert and "webhook_status" not in alert


# ------------------------------------------------------------------------------------------------ settings
def test_settings_from_the_environment_and_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCW_TIMEZONE", "Europe/London")
    monkeypatch.setenv("CCW_SCHEDULE_TIME", "05:45")
    monkeypatch.setenv("CCW_AUTOMATION", "on")
    s = OrchestrationSettings.from_env()
    assert (s.timezone, s.schedule_time.hour, s.schedule_time.minute, s.automation_on) == ("Europe/London", 5, 45, True)
    monkeypatch.setenv("CCW_SCHEDULE_TIME", "6pm")
    with pytest.raises(ValueError, match="CCW_SCHEDULE_TIME='6pm' is not a time of day"):
        OrchestrationSettings.from_env()
    monkeypatch.setenv("CCW_SCHEDULE_TIME", "06:00")
    monkeypatch.setenv("CCW_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CCW_TIMEZONE='Mars/Olympus' is not an IANA time zone"):
        OrchestrationSettings.from_env()


def test_partition_window_is_the_local_day_across_the_dst_change() -> None:
    partitions = daily_partitions(LONDON)
    window = partitions.time_window_for_partition_key("2026-10-25")  # 25 hours long in London
    assert window_days(window) == (date(2026, 10, 25), date(2026, 10, 26))
    assert window.end.timestamp() - window.start.timestamp() == 25 * 3600


# ------------------------------------------------------------------------------------------------ dbt manifest
def test_a_multi_relation_test_is_attached_to_its_most_downstream_relation() -> None:
    manifest = {
        "parent_map": {"model.p.kpi": ["model.p.fct"], "model.p.fct": ["model.p.stg"], "model.p.stg": []},
        "nodes": {
            "model.p.kpi": {"name": "kpi", "resource_type": "model"},
            "model.p.fct": {"name": "fct", "resource_type": "model"},
            "model.p.stg": {"name": "stg", "resource_type": "model"},
            "model.p.other": {"name": "other_daily", "resource_type": "model"},
        },
    }

    def test(name: str, *deps: str) -> dict:
        return {"name": name, "resource_type": "test", "depends_on": {"nodes": list(deps)}}

    assert attached_relation(manifest, test("assert_fct_reconciles_with_kpi", "model.p.fct", "model.p.kpi")) \
        == "model.p.kpi", "kpi is built from fct: downstream wins over the name"
    assert attached_relation(manifest, test("assert_other_daily_sums_to_stg", "model.p.stg", "model.p.other")) \
        == "model.p.other", "neither is built from the other: the one named first"
    assert attached_relation(manifest, test("assert_macro", "macro.p.m")) is None


def test_every_dbt_test_of_the_project_gets_an_asset(tmp_path: Path) -> None:
    from ccw_orchestration.assets.dbt import DBT_PROJECT

    manifest = load_manifest(DBT_PROJECT.manifest_path)
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    unattached = [
        t["name"] for t in tests
        if not t.get("attached_node") and len(set(t["depends_on"]["nodes"])) != 1
        and not t["config"].get("meta", {}).get("dagster", {}).get("ref")
        and any(d.split(".")[0] in ("model", "seed", "snapshot") for d in t["depends_on"]["nodes"])
    ]
    assert unattached == []


def test_ccw_dbt_version_names_the_installed_dbt_core_and_adapters_as_dbt_does() -> None:
    """dagster-dbt runs `<dbt executable> --version` before each dbt command and reads the first x.y.z in it as
    dbt's version: `ccw-dbt --version` answers from the installed packages, dbt-core first."""
    import re
    import subprocess
    import sys

    from dbt.version import __version__ as dbt_core

    from ccw.build import DBT_ADAPTERS

    ccw_dbt = Path(sys.executable).with_name("ccw-dbt")
    started = time.perf_counter()
    out = subprocess.run([str(ccw_dbt), "--version"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"(\d+\.\d+\.\d+)", out).group(1) == dbt_core
    assert out.startswith(f"Core:\n  - installed: {dbt_core}\n")
    from dbt.adapters.duckdb.__version__ import version as dbt_duckdb

    plugins = dict(re.findall(r"^  - (\w+): (\S+)$", out.split("Plugins:")[1], re.M))
    assert plugins["duckdb"] == dbt_duckdb
    assert set(plugins) <= set(DBT_ADAPTERS)
    print(f"ccw-dbt --version in {time.perf_counter() - started:.2f} s")
