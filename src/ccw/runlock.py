"""One run at a time per data folder: an exclusive ``flock`` on ``$CCW_DATA_DIR/.ccw-run.lock``.

``ccw run``, ``ccw land`` and ``ccw build`` hold it for their whole duration. The kernel releases it when the
holding process ends, however it ends (a crash or ``kill -9`` included), so a lock is never left behind and never
has to be deleted by hand: the file stays, only the lock goes. The file records who holds it (pid, command, start
time in UTC, host) so a refused run can say which run holds the folder and since when.

The descriptor is not inherited by child processes (Python's default), so the lock is exactly the lifetime of
the ``ccw`` process; its children die with it (``ccw.childproc``).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".ccw-run.lock"
#: The exit code of a run refused because another run holds the data folder (EX_TEMPFAIL: try again later).
EXIT_LOCKED = 75
_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Holder:
    """What the lock file says about the run holding it (fields may be missing while it is being written)."""

    pid: int | None
    command: str
    started_at: str  # ISO 8601, UTC
    host: str

    def describe(self) -> str:
        since = self.started_at or "an unknown time"
        age = ""
        try:
            seconds = (datetime.now(UTC) - datetime.fromisoformat(self.started_at)).total_seconds()
            age = f" ({_duration(seconds)} ago)"
        except (TypeError, ValueError):
            pass
        who = f"pid {self.pid}" if self.pid else "a process"
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        return f"`{self.command or 'ccw'}` ({who}{where}) since {since}{age}"


class RunLockedError(RuntimeError):
    """Another ``ccw`` run holds the data folder."""

    def __init__(self, lock_path: Path, holder: Holder, waited: float | None = None) -> None:
        self.lock_path, self.holder = lock_path, holder
        waited_text = f" after waiting {_duration(waited)}" if waited else ""
        super().__init__(
            f"another run holds the data folder {lock_path.parent}{waited_text}: {holder.describe()}; "
            f"try again when it ends, or pass --wait (lock file {lock_path})"
        )


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME


def read_holder(path: Path) -> Holder:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid")
    return Holder(pid if isinstance(pid, int) else None, str(data.get("command") or ""),
                  str(data.get("started_at") or ""), str(data.get("host") or ""))


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


@contextmanager
def run_lock(data_dir: Path, command: str | None = None, wait: float | None = 0,
             on_wait=None) -> Iterator[Path]:
    """Hold the data folder's run lock for the ``with`` block.

    ``wait``: 0 (default) raises ``RunLockedError`` at once when another run holds it; a number of seconds waits
    up to that long; ``None`` waits as long as it takes. ``on_wait(holder)`` is called once when the wait starts.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(data_dir)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    held = False
    try:
        started = time.monotonic()
        if not _try_lock(fd):
            holder = read_holder(path)
            if wait is not None and wait <= 0:
                raise RunLockedError(path, holder)
            if on_wait is not None:
                on_wait(holder)
            while not _try_lock(fd):
                if wait is not None and time.monotonic() - started >= wait:
                    raise RunLockedError(path, read_holder(path), time.monotonic() - started)
                time.sleep(_POLL_SECONDS)
        held = True
        record = {
            "pid": os.getpid(),
            "command": command or " ".join(["ccw", *sys.argv[1:]]),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        yield path
    finally:
        if held:
            os.ftruncate(fd, 0)  # nobody holds it now
        os.close(fd)  # releases the lock (the kernel does the same if the process dies)
