"""Retries for transient errors only: a file still being written, the DuckDB build file locked by another process.

Data errors (a quarantined file, a failing test or gate) are not retried: the same input fails the same way.
Steps call their work inside :func:`retry_transient`, which turns a transient error into
``dg.RetryRequested`` (waiting ``delay * 2**attempt`` seconds, up to ``retries`` times) and lets every other
error fail the step at once (no op-level RetryPolicy retries it).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from ccw_orchestration.settings import OrchestrationSettings


class FileStillBeingWrittenError(RuntimeError):
    """An export file was modified less than the settle time ago: its writer may not be done."""


def _locked_error_types() -> tuple[type[BaseException], ...]:
    from ccw.land import WarehouseLockedError

    return (WarehouseLockedError, FileStillBeingWrittenError)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, _locked_error_types()):
        return True
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return False
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


@contextmanager
def retry_transient(context: dg.OpExecutionContext | dg.AssetExecutionContext,
                    settings: OrchestrationSettings) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if not is_transient(exc):
            raise
        attempt = context.retry_number
        wait = settings.retry_delay_seconds * (2**attempt)
        context.log.warning(
            f"transient error (attempt {attempt + 1} of {settings.transient_retries + 1}): {exc}; "
            f"{'retrying in ' + str(wait) + ' s' if attempt < settings.transient_retries else 'giving up'}"
        )
        raise dg.RetryRequested(max_retries=settings.transient_retries, seconds_to_wait=wait) from exc


def ensure_unlocked(database: Path) -> None:
    """Raise ``WarehouseLockedError`` when another process holds ``database`` (DuckDB allows one writer)."""
    import duckdb

    from ccw.land import WarehouseLockedError

    if not database.exists():
        return
    try:
        duckdb.connect(str(database)).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(f"{database} is held by another process: {exc}") from exc
        raise


def unsettled_files(raw_root: Path, settle_seconds: int, now: float) -> list[Path]:
    """Export files under ``raw_root`` modified less than ``settle_seconds`` before ``now`` (regular files only:
    a symbolic link is never followed, not even to read its target's time)."""
    from ccw.land.paths import discover

    if settle_seconds <= 0 or not raw_root.is_dir():
        return []
    found = []
    for file in discover(raw_root):
        try:
            if now - file.path.lstat().st_mtime < settle_seconds:
                found.append(file.path)
        except FileNotFoundError:  # gone since the scan
            continue
    return sorted(found)
