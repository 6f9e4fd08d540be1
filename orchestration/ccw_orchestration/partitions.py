"""Daily partitions in the centre's time zone, and the partition window handed to dbt as vars.

A partition is one export day. A run covers a window of days (one partition, or a range in a backfill, which
runs as one run): ``ccw_window_start`` is its first day, ``ccw_window_end`` the day after its last (half-open,
ISO dates). Models may read them (``var('ccw_window_start', none)``) to build incrementally; today the build
is a full rebuild, so the window only records what the run was for.
"""

from collections.abc import Mapping
from datetime import date, timedelta

import dagster as dg

from ccw_orchestration.settings import OrchestrationSettings

WINDOW_START, WINDOW_END = "ccw_window_start", "ccw_window_end"


def daily_partitions(settings: OrchestrationSettings) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=settings.partition_start.isoformat(), timezone=settings.timezone
    )


def window_days(window: dg.TimeWindow) -> tuple[date, date]:
    """(first day, day after the last) of a partition time window, in the partitions' time zone."""
    return window.start.date(), window.end.date()


def window_vars(start: date, end: date) -> Mapping[str, str]:
    return {WINDOW_START: start.isoformat(), WINDOW_END: end.isoformat()}


def run_window(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The days a partitioned run covers; None when the run has no partition (a manual, unpartitioned run)."""
    if not context.has_partition_key and not context.has_partition_key_range:
        return None
    return window_days(context.partition_time_window)


def days_in(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]
