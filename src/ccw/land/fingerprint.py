"""What identifies the bytes of a file: sha256, size and modification time (UTC)."""

from __future__ import annotations

import hashlib
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
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    stat = path.stat()
    modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC).replace(tzinfo=None)
    return Fingerprint(digest.hexdigest(), stat.st_size, modified)


def utc_now() -> datetime:
    """Now, as a naive UTC timestamp (what TIMESTAMP columns hold)."""
    return datetime.now(UTC).replace(tzinfo=None)
