"""The centre's structure, read from the dbt seeds (the single source of truth)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ccw.config import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "seeds"

SITES: tuple[str, ...] = ("shanghai", "london")
REALTIME_CHANNELS = ("phone", "chat")


@dataclass(frozen=True)
class Queue:
    queue_id: str
    name: str
    channel: str
    site: str
    time_zone: str
    schedule: str
    source_system: str
    source_ref: str

    @property
    def is_realtime(self) -> bool:
        return self.channel in REALTIME_CHANNELS


@dataclass(frozen=True)
class Reference:
    queues: tuple[Queue, ...]
    # schedule -> iso weekday (1..7) -> (open seconds, close seconds) in local time; missing = closed
    business_hours: dict[str, dict[int, tuple[int, int]]]
    holidays: dict[str, dict[date, str]]  # site -> date -> name
    issue_types: tuple[str, ...]
    issue_labels: dict[str, tuple[str, str]]  # issue -> (label_en, label_zh)
    short_abandon_seconds: int
    site_time_zone: dict[str, str]

    def site_queues(self, site: str) -> list[Queue]:
        return [q for q in self.queues if q.site == site]


def _read(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _seconds(hms: str) -> int:
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    queues = tuple(
        Queue(r["queue_id"], r["queue_name"], r["channel"], r["site"], r["time_zone"], r["business_hours_schedule"],
              r["source_system"], r["source_queue_ref"])
        for r in _read("queues.csv", seeds_dir)
    )
    hours: dict[str, dict[int, tuple[int, int]]] = {}
    for r in _read("business_hours.csv", seeds_dir):
        opening = (_seconds(r["open_time"]), _seconds(r["close_time"]))
        hours.setdefault(r["schedule"], {})[int(r["iso_weekday"])] = opening
    holidays: dict[str, dict[date, str]] = {s: {} for s in SITES}
    for r in _read("holidays.csv", seeds_dir):
        holidays.setdefault(r["site"], {})[date.fromisoformat(r["holiday_date"])] = r["holiday_name"]
    issues = _read("issue_types.csv", seeds_dir)
    short = 5
    for r in _read("service_targets.csv", seeds_dir):
        if r["channel"] == "phone" and not r["queue_id"] and r["short_abandon_threshold_seconds"]:
            short = int(r["short_abandon_threshold_seconds"])
    tz = {}
    for q in queues:
        tz.setdefault(q.site, q.time_zone)
    return Reference(
        queues=queues,
        business_hours=hours,
        holidays=holidays,
        issue_types=tuple(r["issue_type"] for r in issues),
        issue_labels={r["issue_type"]: (r["label_en"], r["label_zh"]) for r in issues},
        short_abandon_seconds=short,
        site_time_zone=tz,
    )
