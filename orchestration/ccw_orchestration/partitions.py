"""Daily partitions in the centre's time zone, and the partition window handed to dbt.

A partition is one export day. A run covers a window of days (one partition, or a range in a backfill, which
runs as one run): ``CCW_WINDOW_START`` is its first day, ``CCW_WINDOW_END`` the day after its last (half-open,
ISO dates), in the dbt process's environment. A model may read them (``env_var('CCW_WINDOW_START', '')``);
none does: the incremental models find the days to rebuild from the landing manifest
(``macros/incremental/day_window.sql``), which also sees a late or re-sent file of an earlier day.
Environment variables, not ``--vars``: dbt re-parses the whole project when a command-line var changes
(9.5 s here, on every daily run), but only the files that read an environment variable when it changes.
"""

from collections.abc import Mapping
from datetime import date, timedelta

import dagster as dg

from ccw_orchestration.settings import OrchestrationSettings

WINDOW_START, WINDOW_END = "CCW_WINDOW_START", "CCW_WINDOW_END"


def daily_partitions(settings: OrchestrationSettings) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=settings.partition_start.isoformat(), timezone=settings.timezone
    )


def window_days(window: dg.TimeWindow) -> tuple[date, date]:
    """(first day, day after the last) of a partition time window, in the partitions' time zone."""
    return window.start.date(), window.end.date()


def window_env(start: date, end: date) -> Mapping[str, str]:
    return {WINDOW_START: start.isoformat(), WINDOW_END: end.isoformat()}


def run_window(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The days a partitioned run covers; None when the run has no partition (a manual, unpartitioned run)."""
    if not context.has_partition_key and not context.has_partition_key_range:
        return None
    return window_days(context.partition_time_window)


def days_in(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]
