"""Run the daily job on Spark (``CCW_ENGINE=spark``) on the exports of the data folder, with the GX gates as its only
checks, and keep the run in a Dagster instance folder that a test can read afterwards.

As `ccw run` does: one run of the latest export day's partition, whose landing takes every file not landed yet (all
days) and whose dbt build rebuilds everything (on Spark always in full). A partition range of every export day would
build the same tables and only add bookkeeping: Dagster recorded 2,960 planned materializations (every asset once per
day of the tiny preset) in 35 s before the first step started.

    CCW_DATA_DIR=<dir>/data python scripts/spark_daily_job.py --dagster-home <dir>/dagster

What runs: landing on Spark, the GX raw gates on Spark, the dbt build in its three parts (SQL, the Python models,
the SQL on them), the GX mart gates on Spark, the copy of the marts into the serving file, the report. The dbt data
and unit tests are not selected: what they check of the models' logic, the comparison with the DuckDB build checks
(scripts/spark_check.py, tests/python/test_spark_build.py), and the DuckDB build's tests check the logic. Exit
status 0 when the run succeeded, 1 otherwise; the run's id is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

GX_CHECKS = ("gx_raw_gate", "gx_mart_gate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dagster-home", type=Path, required=True, help="the Dagster instance folder to keep")
    args = parser.parse_args()
    os.environ["CCW_ENGINE"] = "spark"
    os.environ.setdefault("CCW_DBT_SKIP_UNIT_TESTS", "1")  # SQL on fixed rows: make spark-check runs them

    import dagster as dg

    from ccw.config import settings
    from ccw_orchestration.definitions import DAILY_JOB, build_definitions
    from ccw_orchestration.run import execute_daily, export_days
    from ccw_orchestration.settings import OrchestrationSettings

    found = export_days(settings().raw_root)
    if found is None:
        print(f"no export under {settings().raw_root}", file=sys.stderr)
        return 1
    defs = build_definitions(OrchestrationSettings.from_env().with_settle(0))
    job = defs.resolve_job_def(DAILY_JOB)
    checks = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.name in GX_CHECKS}
    args.dagster_home.mkdir(parents=True, exist_ok=True)
    instance = dg.DagsterInstance.local_temp(tempdir=str(args.dagster_home))
    started = time.perf_counter()
    result = execute_daily(found[1], definitions=defs, asset_selection=sorted(
        job.asset_layer.selected_asset_keys, key=lambda k: k.to_user_string()), check_selection=checks,
        dagster_instance=instance)
    print(f"run {result.run_id}: {'success' if result.success else 'FAILED'} in {time.perf_counter() - started:.0f} s",
          flush=True)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            print(f"{event.step_key}: {event.step_failure_data.error.message[:3000]}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
