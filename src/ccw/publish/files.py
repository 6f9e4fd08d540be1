"""File-system primitives of a publish: durable writes, the publish lock, leftovers of killed runs.

Everything a publish writes goes to a hidden temporary name next to its final path (same directory, hence the same
file system), is fsynced, and only then renamed over the final path with ``os.replace``, which is atomic.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

#: suffix of a serving file being written (plus its DuckDB ``.wal`` while open)
SERVING_TEMP = ".publishing"
#: prefix parts of the Parquet folder's temporary and versioned directories
PARQUET_STAGING = "staging-"
PARQUET_VERSION = "v-"
PARQUET_LINK_TEMP = "link-"




def serving_temp_path(serving: Path, version_id: str) -> Path:
    return serving.with_name(f".{serving.name}.{version_id}{SERVING_TEMP}")


def parquet_staging_dir(parquet_dir: Path, version_id: str) -> Path:
    return parquet_dir.with_name(f".{parquet_dir.name}.{PARQUET_STAGING}{version_id}")


def parquet_version_dir(parquet_dir: Path, version_id: str) -> Path:
    return parquet_dir.with_name(f".{parquet_dir.name}.{PARQUET_VERSION}{version_id}")


def fsync_path(path: Path) -> None:
    """Flush a file's (or a directory's entries') data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file below ``root``, then the directories (children before parents)."""
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        fsync_path(path)
    fsync_path(root)


@contextlib.contextmanager
def publish_lock(serving: Path) -> Iterator[None]:
    """One publish at a time per serving file (an advisory lock the kernel releases when the process dies)."""
    lock_path = serving.with_name(f".{serving.name}.publish-lock")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def remove_leftovers(serving: Path, parquet_dir: Path) -> int:
    """Delete what killed publishes left behind: temporary serving files, staged Parquet folders, temporary
    links. Call while holding :func:`publish_lock` (nothing else is writing them then). Returns the count."""
    removed = 0
    for path in serving.parent.glob(f".{serving.name}.*{SERVING_TEMP}*"):
        path.unlink(missing_ok=True)
        removed += 1
    patterns = (f".{parquet_dir.name}.{PARQUET_STAGING}*", f".{parquet_dir.name}.{PARQUET_LINK_TEMP}*")
    for pattern in patterns:
        for path in parquet_dir.parent.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            removed += 1
    return removed


def replace_file(temp: Path, final: Path) -> None:
    """Atomically put ``temp`` (already fsynced) at ``final`` and make the rename durable."""
    os.replace(temp, final)
    fsync_path(final.parent)
