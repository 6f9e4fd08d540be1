"""Before a run writes anything: can it write where it must, and is there room? One clear message if not.

A full disk used to surface as "No space left on device" thousands of times in dbt's output, then "dbt build
failed", with the serving file's state left to guess. ``ccw run`` now checks first, for each folder it writes (the
build database's, the serving file's, the quarantine), that the folder can be created and written (a probe file) and
that its file system has room: at least ``CCW_MIN_FREE_MB`` (default 512) MiB, and for the build folder a quarter of
the build database's size besides (a rebuild grows it by about that much before DuckDB reuses space), for the
serving folder twice the serving file and the Parquet folder (a publish writes a full new copy of each before it
swaps). These are floors that catch a full or read-only disk before anything changes, not a guarantee: a disk
filling during the run still fails it, and the serving file is then untouched (a publish replaces it atomically).
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccw.config import Settings

MIB = 1024 * 1024
#: exit codes (BSD sysexits): a folder that cannot be written; a file system without room
EXIT_CANT_WRITE = 73
EXIT_NO_SPACE = 74
#: errno values that mean "this place cannot take the run's files"
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
CANT_WRITE = {errno.EROFS, errno.EACCES, errno.EPERM}


@dataclass(frozen=True)
class Need:
    folder: Path
    what: str  # what the run writes there
    bytes: int


@dataclass(frozen=True)
class Fault:
    """A folder the run cannot use: the one message it prints, and its exit code."""

    message: str
    exit_code: int


def _size(path: Path) -> int:
    """Bytes of a file, or of every file below a folder (links not followed); 0 when absent."""
    if path.is_symlink():
        path = path.parent / os.readlink(path)
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return 0


def min_free_bytes() -> int:
    return int(float(os.environ.get("CCW_MIN_FREE_MB", "512")) * MIB)


def needs(s: Settings) -> list[Need]:
    floor = min_free_bytes()
    serving_side = 2 * (_size(s.warehouse) + _size(s.warehouse.parent / "parquet"))
    return [
        Need(s.build_warehouse.parent, "the build database and dbt's artifacts",
             floor + _size(s.build_warehouse) // 4),
        Need(s.warehouse.parent, "a new copy of the serving file and of the Parquet folder", floor + serving_side),
        Need(s.quarantine_dir, "copies of refused files", floor),
    ]


def serving_state(serving: Path) -> str:
    """What readers have now, in words."""
    from ccw.publish.core import serving_version

    version = serving_version(serving)
    if version is None:
        return f"nothing is published yet at {serving}"
    return f"the serving file {serving} is untouched and still serves version {version}"


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _probe(folder: Path) -> OSError | None:
    """Create the folder and a small file in it; the error when that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".ccw-write-probe.{os.getpid()}"
        with open(probe, "wb") as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()
    except OSError as exc:
        return exc
    return None


def describe_os_error(exc: OSError, what: str, serving: Path) -> Fault:
    """The one message of a write that failed: the path, what was needed, the serving file's state, what to do."""
    path = exc.filename or "?"
    state = serving_state(serving)
    if exc.errno in NO_SPACE:
        return Fault(f"No space left on the file system of {path} (needed for {what}). Nothing was published: "
                     f"{state}. Free space there (old files under data/quarantine/, dbt's logs under "
                     "data/build/dbt_target/logs/) or point CCW_BUILD_WAREHOUSE / CCW_WAREHOUSE at a larger disk, "
                     "then run again.", EXIT_NO_SPACE)
    reason = "read-only file system" if exc.errno == errno.EROFS else "permission denied"
    return Fault(f"Cannot write {path} ({reason}; needed for {what}). Nothing was published: {state}. Make the "
                 "folder writable by this user, or point CCW_DATA_DIR / CCW_BUILD_WAREHOUSE / CCW_WAREHOUSE at a "
                 "writable place, then run again.", EXIT_CANT_WRITE)


def check(s: Settings, disk_usage: Callable[[Path], object] = shutil.disk_usage) -> Fault | None:
    """The first folder the run cannot write or that lacks room, as a :class:`Fault`; None when all is well."""
    for need in needs(s):
        error = _probe(need.folder)
        if error is not None:
            if error.errno in NO_SPACE | CANT_WRITE:
                return describe_os_error(error, need.what, s.warehouse)
            raise error
        free = disk_usage(_existing_ancestor(need.folder)).free
        if free < need.bytes:
            return Fault(
                f"Not enough free space for {need.what} in {need.folder}: {free / MIB:,.0f} MiB free, about "
                f"{need.bytes / MIB:,.0f} MiB needed (CCW_MIN_FREE_MB={min_free_bytes() // MIB} plus what this "
                f"run writes there). Nothing was changed: {serving_state(s.warehouse)}. Free space there (old files "
                "under data/quarantine/, dbt's logs under data/build/dbt_target/logs/) or point "
                "CCW_BUILD_WAREHOUSE / CCW_WAREHOUSE at a larger disk, then run again.",
                EXIT_NO_SPACE,
            )
    return None
