"""Run the daily job in-process (no daemon, no webserver): what ``ccw run`` calls, and the tests.

The scheduled run and ``ccw run`` execute the same job of the same definitions; only the executor differs (here
in-process, one step after the other, which also serialises every writer of the DuckDB build file).
"""

import os
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date

import dagster as dg

from ccw_orchestration.alerts import error_text
from ccw_orchestration.definitions import DAILY_JOB, build_definitions
from ccw_orchestration.settings import DUCKDB, OrchestrationSettings

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
    check_selection: AbstractSet[dg.AssetCheckKey] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise the daily job for the days ``first``..``last`` (one run, as a single-run backfill does).

    ``asset_selection`` runs part of the graph (with the checks of the selected assets, or exactly
    ``check_selection`` when given)."""
    last = last or first
    defs = definitions or build_definitions(settings)
    job = defs.resolve_job_def(DAILY_JOB)
    if check_selection is not None:
        keys = set(asset_selection) if asset_selection is not None else None
        job = job.get_subset(asset_selection=keys, asset_check_selection=set(check_selection))
        asset_selection = None
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
    return [e.step_key for e in result.all_events if e.is_step_failure and e.step_key]


def failure_summary(result: dg.ExecuteInProcessResult) -> str:
    """One line per failed step, in the words ``ccw run`` has always used."""
    steps = failed_steps(result)
    lines = [STEP_MESSAGES.get(step, f"Step {step} failed (see above).") for step in steps]
    full = [e.step_key for e in result.all_events if e.is_step_failure and e.step_failure_data
            and _NO_SPACE in str(e.step_failure_data.error)]
    if full:  # the cause first, once, however many times the tools printed it
        lines.insert(0, f"Cause: no space left on device (step(s) {', '.join(full)}); nothing was published, the "
                        "serving file is untouched. Free space under the data folder (or move CCW_BUILD_WAREHOUSE "
                        "to a larger disk), then run again.")
    return "\n".join(lines) or "The run failed (see above)."


_NO_SPACE = "No space left on device"


def export_days(raw_root) -> tuple[date, date] | None:
    """(first, last) export day of the landable files under ``raw_root``; None when there is none. A file landing
    refuses by its path (a bad name, an implausible day, an unknown folder) does not count."""
    from ccw.land.paths import discover

    days = [f.export_date for f in discover(raw_root) if f.problem is None and f.export_date is not None]
    return (min(days), max(days)) if days else None


#: ``ccw run`` finished and published, but landing refused or quarantined file(s) (same as ``ccw.cli``)
EXIT_FILES_REFUSED = 3
LANDING_QUARANTINE_KEY = dg.AssetKey(["raw", "_quarantine"])


def landing_refusals(result: dg.ExecuteInProcessResult) -> tuple[int, str]:
    """(files refused or quarantined by the run's landing, their reasons as listed) from the landing metadata."""
    for event in result.get_asset_materialization_events():
        if event.asset_key != LANDING_QUARANTINE_KEY:
            continue
        metadata = event.materialization.metadata
        count = sum(int(getattr(metadata.get(k), "value", 0) or 0) for k in ("files_quarantined", "files_refused"))
        reasons = getattr(metadata.get("reasons"), "value", "") or ""
        return count, str(reasons)
    return 0, ""


def files_set_aside(result: dg.ExecuteInProcessResult) -> list[str]:
    """The files the raw gates set aside whole as untrusted, from the raw gate checks' metadata."""
    files: list[str] = []
    for evaluation in result.get_asset_check_evaluations():
        text = str(getattr(evaluation.metadata.get("set_aside_files"), "value", "") or "")
        files += [line for line in text.splitlines() if line]
    return files


def alert_from_result(result: dg.ExecuteInProcessResult, first: date, last: date) -> dict:
    steps = []
    for event in result.all_events:
        if event.is_step_failure and event.step_key:
            error = event.step_failure_data.error if event.step_failure_data else None
            steps.append({"step": event.step_key, "error": error_text(error)})
    return {"run_id": result.run_id, "job": result.job_def.name, "partition": f"{first}..{last}",
            "message": failure_summary(result), "failed_steps": steps}


def run_sample(settings: OrchestrationSettings | None = None) -> int:
    """``ccw run``: one in-process run of the daily job over every export day found (the range a single-run
    backfill of the sample would cover). Prints the outcome and the warehouse summary. Returns 0 on success, 1 when
    the run failed or stopped (a failed run writes an alert as the run-failure sensor does under the daemon), and
    ``EXIT_FILES_REFUSED`` (3) when it succeeded but landing refused or quarantined a file: the warehouse was
    built and published without it, and the exit code says so."""
    import sys

    from ccw.config import settings as ccw_settings
    from ccw.summary import render
    from ccw_orchestration.alerts import write_alert
    from ccw_orchestration.partitions import daily_partitions

    paths = ccw_settings()
    # the files were just written or copied: no settle wait in an interactive run
    settings = settings or OrchestrationSettings.from_env().with_settle(0)
    found = export_days(paths.raw_root)
    if found is None:
        print(f"No export file with a day in its name under {paths.raw_root}: nothing to run.", file=sys.stderr)
        return 1
    first, last = found
    partitions = daily_partitions(settings)
    newest = date.fromisoformat(partitions.get_last_partition_key() or first.isoformat())
    if first < settings.partition_start:  # landed and built all the same: the run is for the latest day only
        print(f"Exports start on {first}, before the first partition {settings.partition_start} "
              "(CCW_PARTITION_START): they land and build, but have no partition of their own in Dagster "
              "(move CCW_PARTITION_START back to backfill them day by day).", file=sys.stderr)
    if last > newest:
        print(f"Exports run to {last}, but {newest} is the latest complete day in {settings.timezone}: "
              f"building up to {newest}.")
        last = newest
    # The daily run of the latest day, as the schedule would start it: landing takes every new or changed file
    # (all days), and the dbt models rebuild every day those files change (the incremental ones: their windows or
    # months; the others: in full), so the result equals a backfill of first..last.
    # A 90-day range run would only add bookkeeping: Dagster records every asset and every check once per
    # partition (about 85,000 event rows on the sample, over a minute).
    print(f"Dagster: daily_build for {last} in-process (exports {first}..{last}: every new or changed file is "
          "landed and the models rebuild every day it changes).", flush=True)
    defs = build_definitions(settings)
    result = execute_daily(last, last, definitions=defs)
    job = defs.resolve_job_def(DAILY_JOB)
    expected = len(job.asset_layer.selected_asset_keys)
    built = {e.asset_key for e in result.get_asset_materialization_events()}
    checks = result.get_asset_check_evaluations()
    print(f"Dagster run {result.run_id}: {'success' if result.success else 'FAILURE'}; materialised {len(built)} of "
          f"{expected} assets; {sum(c.passed for c in checks)} of {len(checks)} checks passed "
          f"({sum(not c.passed and c.severity == dg.AssetCheckSeverity.WARN for c in checks)} warning(s)).",
          flush=True)
    if not result.success:
        print(failure_summary(result), file=sys.stderr)
        path = write_alert(paths.data_dir / "alerts", alert_from_result(result, last, last), settings.alert_webhook)
        print(f"Alert written to {path}", file=sys.stderr)
        return 1
    # on Spark the build is Spark's tables: the summary reads the marts published from them
    print(render(paths.build_warehouse if settings.engine == DUCKDB else paths.warehouse))
    report = paths.data_dir / "report" / "index.html"
    print(f"  serving file (BI tools, read-only): {paths.warehouse}"
          + ("" if paths.warehouse.exists() else " (not published)"))
    print(f"  daily report: {report.as_uri() if report.exists() else '(not written)'}")
    data_docs = paths.data_dir / "quality" / "data_docs" / "index.html"
    if data_docs.exists():
        print(f"  Data Docs: {data_docs.as_uri()}")
    refused, reasons = landing_refusals(result)
    if refused:
        print(f"Landing refused {refused} file(s); the warehouse was built and published without them "
              f"(exit code {EXIT_FILES_REFUSED}). Fix or remove them: the next run lands or forgets them.\n{reasons}",
              file=sys.stderr)
    untrusted = files_set_aside(result)
    if untrusted:
        listed = "\n".join(f"  {path}" for path in untrusted)
        print(f"The raw gates set {len(untrusted)} untrusted file(s) aside whole; the warehouse was built and "
              f"published without them (exit code {EXIT_FILES_REFUSED}). Re-send them corrected or remove them.\n"
              f"{listed}",
              file=sys.stderr)
    return EXIT_FILES_REFUSED if refused or untrusted else 0
