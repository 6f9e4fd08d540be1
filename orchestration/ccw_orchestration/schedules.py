"""The daily schedule: at a configurable local time in the centre's time zone, build yesterday's partition and
everything that depends on it (the whole daily job)."""

from typing import Any

import dagster as dg

from ccw_orchestration.settings import OrchestrationSettings


def build_daily_schedule(settings: OrchestrationSettings, job: Any):
    return dg.build_schedule_from_partitioned_job(
        job,
        name="daily_build_schedule",
        hour_of_day=settings.schedule_time.hour,
        minute_of_hour=settings.schedule_time.minute,
        default_status=dg.DefaultScheduleStatus.RUNNING if settings.automation_on else dg.DefaultScheduleStatus.STOPPED,
        description=f"Every day at {settings.schedule_time:%H:%M} {settings.timezone}: yesterday's partition.",
    )
