"""Open the serving file for reading while a publish may replace it.

DuckDB opens a database path three times while connecting (duckdb 2.0, seen with ``strace``): once for the magic
bytes, once for the file headers, and once for the handle it keeps, which then reads the metadata block the
headers point to. A publish replaces the serving file with ``os.replace``. When that rename falls between the
second and the third open, the connection reads the new file with the old file's headers: the connect fails
("INTERNAL Error: Failed to load metadata pointer", "IO Error: Could not read enough bytes"), and with files of a
like layout it could even read a mix of the two versions. Measured with two serving files swapped every 2 ms under a
reader: 3 of 801 plain connects failed.

So ccw's readers note the file's identity (device and inode) before and after they open it. When it changed, the
rename fell inside the open: the connection is discarded (or the error forgotten) and the file opened again, now
one complete version. An error raised while the identity stayed is a real one and is raised at once. Once open, a
connection holds one inode, which lives until it closes, so everything it reads is one version.

BI tools that open the path themselves should retry a connect that fails while a publish runs (README, "Serving
BI tools").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from ccw.sqltext import ident, literal

T = TypeVar("T")

#: a publish holds the lock for seconds between two renames; a few attempts cover any realistic rate of publishes
ATTEMPTS = 10


class ServingFileBusy(RuntimeError):
    """The serving file was replaced during every attempt to open it."""


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, None when it does not exist."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def open_stable(path: Path, opener: Callable[[], T], closer: Callable[[T], None], attempts: int = ATTEMPTS) -> T:
    """``opener()`` until the file at ``path`` is the same before and after it; ``closer`` discards a handle opened
    across a replacement. Raises what ``opener`` raised when the file did not change meanwhile."""
    path = Path(path)
    for _ in range(attempts):
        before = file_identity(path)
        try:
            handle = opener()
        except duckdb.Error:
            if file_identity(path) == before:
                raise
            continue  # the file was replaced while DuckDB opened it: open the new one
        if file_identity(path) == before:
            return handle
        closer(handle)
    raise ServingFileBusy(f"{path}: replaced during each of {attempts} attempts to open it (publishes in a loop?)")


def connect_serving(path: Path, config: dict | None = None, attempts: int = ATTEMPTS) -> duckdb.DuckDBPyConnection:
    """A read-only connection on one complete version of the serving file ``path``."""
    return open_stable(
        Path(path),
        lambda: duckdb.connect(str(path), read_only=True, config=config or {}),
        lambda con: con.close(),
        attempts,
    )


def attach_serving(con: duckdb.DuckDBPyConnection, path: Path, catalog: str, attempts: int = ATTEMPTS) -> None:
    """ATTACH the serving file ``path`` READ_ONLY as ``catalog`` on ``con``, one complete version."""
    open_stable(
        Path(path),
        lambda: con.execute(f"attach {literal(path)} as {ident(catalog)} (read_only)"),
        lambda _: con.execute(f"detach {ident(catalog)}"),
        attempts,
    )
