"""What identifies the bytes of a file: sha256, size and modification time (UTC)."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Fingerprint:
    checksum: str  # sha256 hex of the bytes
    bytes: int
    modified_at: datetime  # the file's mtime, naive UTC

    @property
    def short(self) -> str:
        return self.checksum[:8]


def fingerprint(path: Path) -> Fingerprint:
    """Checksum, size and mtime of the regular file at ``path``; a symbolic link is never followed (``OSError``)."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {path}")
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
        info = os.fstat(handle.fileno())
    modified = datetime.fromtimestamp(info.st_mtime, tz=UTC).replace(tzinfo=None)
    return Fingerprint(digest.hexdigest(), info.st_size, modified)


def utc_now() -> datetime:
    """Now, as a naive UTC timestamp (what TIMESTAMP columns hold)."""
    return datetime.now(UTC).replace(tzinfo=None)
