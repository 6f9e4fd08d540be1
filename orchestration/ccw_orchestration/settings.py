"""Orchestration settings: the centre's time zone, the partitions, the schedule, the sensor, retries, alerts.

Every value can be moved with an environment variable (read when the definitions load):

| variable                    | default        | what                                                           |
|-----------------------------|----------------|----------------------------------------------------------------|
| CCW_TIMEZONE                | Asia/Shanghai  | the centre's time zone: partition days and the schedule        |
| CCW_PARTITION_START         | (the data)     | the first daily partition; unset: the earliest export day      |
|                             |                | under the raw root (2025-11-01 when there is none)             |
| CCW_SCHEDULE_TIME           | 06:00          | when the daily build runs (local time, builds yesterday)       |
| CCW_SENSOR_INTERVAL_SECONDS | 60             | how often the raw-file sensor looks for new or changed files   |
| CCW_FILE_SETTLE_SECONDS     | 30             | a file modified more recently than this is still being written |
| CCW_TRANSIENT_RETRIES       | 3              | retries of a step hit by a transient error (lock, busy file)   |
| CCW_RETRY_DELAY_SECONDS     | 30             | first wait before such a retry (doubles each time)             |
| CCW_ALERT_WEBHOOK           | (unset)        | URL a run-failure alert is POSTed to (JSON), when set          |
| CCW_AUTOMATION              | off            | on: the schedule and the raw-file sensor start switched on     |
| CCW_ENGINE                  | duckdb         | where landing, dbt, the GX gates and the marts run: duckdb or  |
|                             |                | spark (dbt's `spark` target, local pyspark; docs/spark.md,     |
|                             |                | "Dagster and the quality gates on Spark")                      |
"""

import dataclasses
import os
from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

BUILD_DB_POOL = "ccw_build_db"  # every writer of the DuckDB build file (limit 1 in dagster.yaml)
#: also every Spark step: the embedded Derby metastore admits one process at a time

DUCKDB, SPARK = "duckdb", "spark"
ENGINES = (DUCKDB, SPARK)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r} must be >= 0")
    return value


def _time(name: str, default: str) -> time:
    raw = os.environ.get(name, "").strip() or default
    try:
        hour, minute = (int(part) for part in raw.split(":"))
        return time(hour, minute)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a time of day HH:MM") from None


def _zone(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip() or default
    try:
        ZoneInfo(raw)
    except (KeyError, ValueError):
        raise ValueError(f"{name}={raw!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
    return raw


def _switch(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "off", "0", "false", "no"):
        return False
    if raw in ("on", "1", "true", "yes"):
        return True
    raise ValueError(f"{name}={raw!r}: use on or off")


def _engine(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in ENGINES:
        raise ValueError(f"{name}={raw!r}: use one of {', '.join(ENGINES)}")
    return raw


def _date(name: str, default: str) -> date:
    raw = os.environ.get(name, "").strip() or default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an ISO date YYYY-MM-DD") from None


def first_export_day() -> date | None:
    """The earliest export day of the landable files under the raw root (CCW_RAW_ROOT / CCW_DATA_DIR), None when
    there is none: where the daily partitions start when CCW_PARTITION_START is not set, so a help desk of 2020 runs
    without moving a variable. Files landing refuses by their path do not count (an implausible day, a bad name)."""
    from ccw.config import settings
    from ccw.land.paths import discover

    days = [f.export_date for f in discover(settings().raw_root) if f.problem is None and f.export_date is not None]
    return min(days) if days else None


def _partition_start(default: date) -> date:
    if os.environ.get("CCW_PARTITION_START", "").strip():
        return _date("CCW_PARTITION_START", default.isoformat())
    return first_export_day() or default


@dataclass(frozen=True)
class OrchestrationSettings:
    timezone: str = "Asia/Shanghai"
    partition_start: date = date(2025, 11, 1)
    schedule_time: time = time(6, 0)
    sensor_interval_seconds: int = 60
    file_settle_seconds: int = 30
    transient_retries: int = 3
    retry_delay_seconds: int = 30
    alert_webhook: str | None = None
    automation_on: bool = False
    engine: str = DUCKDB

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine={self.engine!r}: use one of {', '.join(ENGINES)}")

    def with_settle(self, seconds: int) -> "OrchestrationSettings":
        return dataclasses.replace(self, file_settle_seconds=seconds)

    @classmethod
    def from_env(cls) -> "OrchestrationSettings":
        return cls(
            timezone=_zone("CCW_TIMEZONE", cls.timezone),
            partition_start=_partition_start(cls.partition_start),
            schedule_time=_time("CCW_SCHEDULE_TIME", cls.schedule_time.strftime("%H:%M")),
            sensor_interval_seconds=_int("CCW_SENSOR_INTERVAL_SECONDS", cls.sensor_interval_seconds),
            file_settle_seconds=_int("CCW_FILE_SETTLE_SECONDS", cls.file_settle_seconds),
            transient_retries=_int("CCW_TRANSIENT_RETRIES", cls.transient_retries),
            retry_delay_seconds=_int("CCW_RETRY_DELAY_SECONDS", cls.retry_delay_seconds),
            alert_webhook=os.environ.get("CCW_ALERT_WEBHOOK", "").strip() or None,
            automation_on=_switch("CCW_AUTOMATION"),
            engine=_engine("CCW_ENGINE", cls.engine),
        )
