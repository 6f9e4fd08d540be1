"""Run the daily job in-process (no daemon, no webserver): what ``ccw run`` calls, and the tests.

The scheduled run and ``ccw run`` execute the same job of the same definitions; only the executor differs (here
in-process, one step after the other, which also serialises every writer of the DuckDB build file).
"""

import os
from collections.abc import Sequence
from datetime import date

import dagster as dg

from ccw_orchestration.definitions import DAILY_JOB, build_definitions
from ccw_orchestration.settings import OrchestrationSettings

#: the run tags of a partition range (what a single-run backfill of several days launches)
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

STEP_MESSAGES = {
    "land_raw_exports": "Landing failed (see above): nothing was built or published.",
    "gx_raw_gates": "Raw quality gates failed (see above): nothing was built or published.",
    "dbt_build": "dbt build failed: see the messages above.",
    "gx_mart_gates": "Mart quality gates failed (see above): nothing was published.",
}


def instance() -> dg.DagsterInstance:
    """The instance of DAGSTER_HOME when set (the run then shows in the UI), else an ephemeral one."""
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def run_tags(first: date, last: date) -> dict[str, str]:
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()} if first != last else {}


def execute_daily(
    first: date,
    last: date | None = None,
    settings: OrchestrationSettings | None = None,
    asset_selection: Sequence[dg.AssetKey] | None = None,
    dagster_instance: dg.DagsterInstance | None = None,
    log_level: str = "INFO",
    definitions: dg.Definitions | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise the daily job for the days ``first``..``last`` (one run, as a single-run backfill does)."""
    last = last or first
    defs = definitions or build_definitions(settings)
    job = defs.resolve_job_def(DAILY_JOB)
    range_tags = run_tags(first, last)
    return job.execute_in_process(
        instance=dagster_instance or instance(),
        partition_key=None if range_tags else first.isoformat(),
        tags=range_tags,
        asset_selection=asset_selection,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE" and e.step_key]


def failure_summary(result: dg.ExecuteInProcessResult) -> str:
    """One line per failed step, in the words ``ccw run`` has always used."""
    steps = failed_steps(result)
    lines = [STEP_MESSAGES.get(step, f"Step {step} failed (see above).") for step in steps]
    return "\n".join(lines) or "The run failed (see above)."
