"""Find export files under the raw root and read what their paths say.

A well-placed file is ``<raw root>/<system>/<entity>/<YYYY-MM-DD>.<ext>`` of a registered entity
with that entity's extension. Anything else is still returned, with ``problem`` set, so that it
is quarantined rather than ignored. Hidden files and folders (``.name``) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ccw.exports import BY_TABLE, Entity

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class ExportFile:
    path: Path  # absolute
    relative: str  # posix path relative to the raw root (the file's identity)
    system: str | None
    entity_name: str | None
    entity: Entity | None  # None when the folder is not a registered entity
    export_date: date | None  # None when the file name is not a date
    problem: str | None  # why the path alone already makes the file unlandable

    @property
    def table(self) -> str | None:
        if self.entity is not None:
            return self.entity.table
        if self.system and self.entity_name:
            return f"{self.system}__{self.entity_name}"
        return None


def parse_day(stem: str) -> date | None:
    match = _DAY.match(stem)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def describe(path: Path, raw_root: Path) -> ExportFile:
    """What the path of one file says: entity, export date, or why it cannot be landed."""
    relative = path.relative_to(raw_root).as_posix()
    parts = relative.split("/")
    if len(parts) != 3:
        return ExportFile(path, relative, None, None, None, None, "misplaced file: not at <system>/<entity>/<file>")
    system, name, filename = parts
    entity = BY_TABLE.get(f"{system}__{name}")
    stem, dot, ext = filename.partition(".")
    day = parse_day(stem)
    problem = None
    if entity is None:
        problem = f"unknown entity folder: {system}/{name} is not a registered export"
    elif day is None:
        problem = f"bad file name: {filename!r} is not <YYYY-MM-DD>.{entity.extension}"
    elif not dot or ext != entity.extension:
        problem = f"bad file name: {filename!r} should have the extension .{entity.extension}"
    return ExportFile(path, relative, system, name, entity, day, problem)


def discover(raw_root: Path) -> list[ExportFile]:
    """Every non-hidden file under ``raw_root``, sorted by relative path."""
    if not raw_root.is_dir():
        return []
    found = [
        p
        for p in raw_root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_root).parts)
    ]
    return [describe(p, raw_root) for p in sorted(found, key=lambda p: p.relative_to(raw_root).as_posix())]
