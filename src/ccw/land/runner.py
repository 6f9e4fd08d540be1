"""``land_all``: land every new or changed export file under the raw root, one transaction per file."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import duckdb

from ccw.land.connection import open_warehouse
from ccw.land.errors import Unreadable
from ccw.land.fingerprint import Fingerprint, fingerprint, utc_now
from ccw.land.load import land_file
from ccw.land.manifest import PriorState, load_state, record_attempt
from ccw.land.paths import ExportFile, discover
from ccw.land.quarantine import copy_aside, record_quarantine
from ccw.land.report import FileResult, LandingReport
from ccw.land.tables import ensure_raw_tables

STILL_QUARANTINED = "still quarantined (file unchanged): "


def _result(file: ExportFile, fp: Fingerprint, rows: int | None, outcome: str, started: float, **extra) -> FileResult:
    return FileResult(
        path=file.relative,
        entity=file.table,
        export_date=file.export_date,
        checksum=fp.checksum,
        rows=rows,
        outcome=outcome,
        bytes=fp.bytes,
        seconds=time.perf_counter() - started,
        **extra,
    )


def _quarantine(
    con: duckdb.DuckDBPyConnection, file: ExportFile, fp: Fingerprint, reason: str, run_id: str, qdir: Path
) -> Path:
    at = utc_now()
    copy = copy_aside(file, fp, qdir, reason)
    con.begin()
    try:
        record_quarantine(con, file, fp, reason, copy, at)
        record_attempt(con, run_id, file, fp, None, at, "quarantined", reason)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return copy


def _land_one(
    con: duckdb.DuckDBPyConnection,
    file: ExportFile,
    prior: PriorState | None,
    run_id: str,
    qdir: Path,
    workdir: Path,
) -> FileResult:
    started = time.perf_counter()
    fp = fingerprint(file.path)
    if prior is not None and prior.checksum == fp.checksum:
        if prior.last_outcome == "quarantined":
            reason = prior.last_reason or ""
            reason = reason if reason.startswith(STILL_QUARANTINED) else STILL_QUARANTINED + reason
            record_attempt(con, run_id, file, fp, None, utc_now(), "quarantined", reason)
            return _result(file, fp, None, "quarantined", started, reason=reason)
        record_attempt(con, run_id, file, fp, prior.landed_rows, utc_now(), "unchanged")
        return _result(file, fp, prior.landed_rows, "unchanged", started)
    replaces = prior is not None and prior.landed_checksum is not None
    try:
        rows = land_file(con, file, fp, replaces, run_id, utc_now(), workdir)
    except Unreadable as exc:
        copy = _quarantine(con, file, fp, exc.reason, run_id, qdir)
        return _result(file, fp, None, "quarantined", started, reason=exc.reason, quarantine_path=copy)
    return _result(file, fp, rows, "replaced" if replaces else "landed", started)


def land_all(raw_root: Path, warehouse: Path, quarantine_dir: Path | None = None) -> LandingReport:
    """Land every new or changed file under ``raw_root`` into ``warehouse``; quarantine unreadable ones.

    ``quarantine_dir`` defaults to ``<data dir>/quarantine`` (``ccw.config``). Raises
    ``WarehouseLockedError`` when another process holds the warehouse.
    """
    if quarantine_dir is None:
        from ccw.config import settings

        quarantine_dir = settings().quarantine_dir
    started = time.perf_counter()
    report = LandingReport(raw_root=raw_root, warehouse=warehouse, run_id=uuid.uuid4().hex)
    files = discover(raw_root)
    con = open_warehouse(warehouse)
    try:
        ensure_raw_tables(con)
        state = load_state(con)
        with tempfile.TemporaryDirectory(prefix="ccw-land-") as workdir:
            for file in files:
                result = _land_one(con, file, state.get(file.relative), report.run_id, quarantine_dir, Path(workdir))
                report.files.append(result)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report
