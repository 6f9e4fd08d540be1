"""A sensor on the raw root: new or changed export files trigger landing for their day.

The cursor maps every export file seen (path relative to the raw root) to ``[size, mtime_ns, sha256 prefix]``.
A file whose size and mtime are unchanged is not read; one whose mtime changed but whose content did not (a
touch, a copy of the same bytes) updates the cursor and requests nothing. A file modified within the settle
time may still be being written: it is left for a later tick. Files whose day has no partition yet (a clock
ahead of the centre's) are left for later too. One run per changed day; its run key names the day and the
files' checksums, so the same change never runs twice.
"""

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from ccw_orchestration.resources import WarehouseResource
from ccw_orchestration.settings import OrchestrationSettings

CHECKSUM_CHARS = 16


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:CHECKSUM_CHARS]


@dataclass
class Scan:
    state: dict[str, list] = field(default_factory=dict)  # the next cursor
    changed: dict[date, dict[str, str]] = field(default_factory=dict)  # day -> {path: checksum}
    unsettled: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)


def scan(raw_root: Path, previous: Mapping[str, list], settle_seconds: float, now: float) -> Scan:
    """Compare the files under ``raw_root`` with the previous cursor."""
    from ccw.land.paths import discover

    out = Scan()
    for file in discover(raw_root):
        stat = file.path.stat()
        if now - stat.st_mtime < settle_seconds:
            out.unsettled.append(file.relative)
            if file.relative in previous:
                out.state[file.relative] = list(previous[file.relative])
            continue
        before = previous.get(file.relative)
        if before is not None and before[0] == stat.st_size and before[1] == stat.st_mtime_ns:
            out.state[file.relative] = list(before)
            continue
        digest = checksum(file.path)
        out.state[file.relative] = [stat.st_size, stat.st_mtime_ns, digest]
        if before is not None and before[2] == digest:
            continue
        if file.export_date is None:
            out.undated.append(file.relative)  # landing quarantines it; no day to run for
            continue
        out.changed.setdefault(file.export_date, {})[file.relative] = digest
    return out


def run_key(day: date, files: Mapping[str, str]) -> str:
    content = json.dumps(sorted(files.items())).encode("utf-8")
    return f"{day.isoformat()}:{hashlib.sha1(content).hexdigest()[:16]}"


def build_raw_files_sensor(
    settings: OrchestrationSettings, job: Any, partitions_def: dg.PartitionsDefinition
) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_sensor",
        job=job,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING if settings.automation_on else dg.DefaultSensorStatus.STOPPED,
        description="New or changed export files under the raw root trigger landing for their day.",
    )
    def raw_files_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
        raw_root = warehouse.raw_root_path()
        previous = json.loads(context.cursor) if context.cursor else {}
        result = scan(raw_root, previous, settings.file_settle_seconds, time.time())
        keys = set(partitions_def.get_partition_keys())
        requests = []
        for day, files in sorted(result.changed.items()):
            if day.isoformat() not in keys:
                context.log.info(f"{day}: no partition yet (or before the first): {len(files)} file(s) left for later")
                for path in files:  # forget them, so a later tick sees them again
                    result.state.pop(path, None)
                continue
            requests.append(dg.RunRequest(
                run_key=run_key(day, files), partition_key=day.isoformat(),
                tags={"ccw/changed_files": str(len(files))},
            ))
        if result.unsettled:
            context.log.info(f"{len(result.unsettled)} file(s) still being written, left for the next tick")
        if result.undated:
            context.log.warning(f"files without a day in their name (landing quarantines them): {result.undated[:5]}")
        skip = None if requests else dg.SkipReason(f"no new or changed export file under {raw_root}")
        return dg.SensorResult(run_requests=requests, skip_reason=skip, cursor=json.dumps(result.state))

    return raw_files_sensor
