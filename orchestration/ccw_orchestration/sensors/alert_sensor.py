"""A run-failure sensor: every failed run of this code location becomes an alert (ccw_orchestration.alerts)."""

import dagster as dg

from ccw_orchestration.alerts import error_text, write_alert
from ccw_orchestration.resources import WarehouseResource
from ccw_orchestration.settings import OrchestrationSettings


def failure_alert(context: dg.RunFailureSensorContext) -> dict:
    run = context.dagster_run
    steps = [
        {"step": e.step_key, "error": error_text(e.step_failure_data.error if e.step_failure_data else None)}
        for e in context.get_step_failure_events()
    ]
    return {
        "run_id": run.run_id,
        "job": run.job_name,
        "partition": run.tags.get("dagster/partition")
        or "..".join(filter(None, [run.tags.get("dagster/asset_partition_range_start"),
                                   run.tags.get("dagster/asset_partition_range_end")])) or None,
        "message": context.failure_event.message,
        "failed_steps": steps,
    }


def build_alert_sensor(settings: OrchestrationSettings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="ccw_run_failure_alert",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes an alert (log, <data dir>/alerts/*.json, CCW_ALERT_WEBHOOK) for every failed run.",
    )
    def ccw_run_failure_alert(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
        path = write_alert(warehouse.data_dir_path() / "alerts", failure_alert(context), settings.alert_webhook)
        context.log.info(f"alert written to {path}")

    return ccw_run_failure_alert
