"""``land_all``: land every new or changed export file under the raw root, one transaction per file.

The path is judged first (``ccw.land.paths``): a file whose path is wrong is refused by name (a copy set aside,
a row in ``raw._refused_paths``) and never reaches a raw table, the manifest or a model; a symbolic link, hidden
or special file is listed there too and never opened. Quarantine records of files no longer under the raw root
are retired before anything lands, so a deleted or renamed bad file stops counting at the next run.

History dumps: a file lands as ``export_kind = 'history'`` (a dump of any span of time; the raw gates flag only
record times after its export day + 1) when ``history=True`` (``ccw land --history``), when it already landed as
one (a re-sent dump stays a dump), or when it is the first file of its entity: nothing of that entity has landed
before and no file of it in this run has an earlier export day. Every other file is ``daily``: its record times
must lie within its export day - 7 .. + 1.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import duckdb

from ccw.land.connection import open_warehouse
from ccw.land.errors import Unreadable
from ccw.land.fingerprint import Fingerprint, fingerprint, unchanged_by_stat, utc_now
from ccw.land.load import land_file
from ccw.land.loaders import LoaderSource, configured_sources, import_loader_tables
from ccw.land.manifest import PriorState, load_state, record_attempt, retire_missing
from ccw.land.outcomes import FileResult, LandingReport
from ccw.land.paths import ExportFile, Refused, inside_raw_root, scan
from ccw.land.quarantine import copy_aside, quarantine_path, record_quarantine, record_refused
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


def _refuse_entry(con: duckdb.DuckDBPyConnection, entry: Refused, run_id: str) -> FileResult:
    """A symbolic link, hidden or special file: listed with its reason, never opened, followed or copied. Hidden
    entries are ``ignored`` (listed, not a finding); the others are ``refused``."""
    record_refused(con, run_id, entry.relative, entry.kind, entry.reason, utc_now())
    return FileResult(path=entry.relative, entity=None, export_date=None, checksum=None, rows=None,
                      outcome="ignored" if entry.kind == "hidden" else "refused", reason=entry.reason)


def _unreadable_now(con: duckdb.DuckDBPyConnection, file: ExportFile, run_id: str, why: str) -> FileResult:
    """A file found by the scan that is no longer a regular file inside the raw root when it is to be read."""
    return _refuse_entry(con, Refused(file.path, file.relative, "special", why), run_id)


_SWAPPED = "no longer a regular file inside the raw root when it was to be read (a link is never followed)"


def _fingerprint_or_refuse(
    con: duckdb.DuckDBPyConnection, file: ExportFile, run_id: str, raw_root: Path
) -> Fingerprint | FileResult:
    if not inside_raw_root(file.path, raw_root):
        return _unreadable_now(con, file, run_id, _SWAPPED)
    try:
        return fingerprint(file.path)
    except FileNotFoundError:
        return _unreadable_now(con, file, run_id, "disappeared before it could be read")
    except OSError:
        return _unreadable_now(con, file, run_id, _SWAPPED)


def _known_bytes(file: ExportFile, prior: PriorState | None, raw_root: Path) -> Fingerprint | None:
    """The latest attempt's fingerprint when the file still has its size and modification time (not read again)."""
    if prior is None or not inside_raw_root(file.path, raw_root):
        return None
    return unchanged_by_stat(file.path, prior.checksum, prior.bytes, prior.file_modified_at)


def _refuse_path(con: duckdb.DuckDBPyConnection, file: ExportFile, run_id: str, qdir: Path,
                 raw_root: Path) -> FileResult:
    """A regular file whose path is wrong: copied aside once per content, listed, never landed."""
    started = time.perf_counter()
    reason = file.problem or "not a landable path"
    fp = _fingerprint_or_refuse(con, file, run_id, raw_root)
    if isinstance(fp, FileResult):
        return fp
    copy = quarantine_path(file, fp, qdir)
    if not copy.exists():
        copy = copy_aside(file, fp, qdir, reason)
    record_refused(con, run_id, file.relative, "path", reason, utc_now(), fp, copy)
    return _result(file, fp, None, "refused", started, reason=reason, quarantine_path=copy)


def _land_one(
    con: duckdb.DuckDBPyConnection,
    file: ExportFile,
    prior: PriorState | None,
    run_id: str,
    qdir: Path,
    workdir: Path,
    raw_root: Path,
    export_kind: str = "daily",
) -> FileResult:
    if file.problem is not None:
        return _refuse_path(con, file, run_id, qdir, raw_root)
    started = time.perf_counter()
    fp = _known_bytes(file, prior, raw_root) or _fingerprint_or_refuse(con, file, run_id, raw_root)
    if isinstance(fp, FileResult):
        return fp
    if prior is not None and prior.checksum == fp.checksum:
        if prior.last_outcome == "quarantined":
            reason = prior.last_reason or ""
            reason = reason if reason.startswith(STILL_QUARANTINED) else STILL_QUARANTINED + reason
            record_attempt(con, run_id, file, fp, None, utc_now(), "quarantined", reason)
            return _result(file, fp, None, "quarantined", started, reason=reason)
        record_attempt(con, run_id, file, fp, prior.landed_rows, utc_now(), "unchanged")
        return _result(file, fp, prior.landed_rows, "unchanged", started)
    replaces = prior is not None and prior.landed_checksum is not None
    if prior is not None and prior.export_kind == "history":
        export_kind = "history"
    try:
        landed = land_file(con, file, fp, replaces, run_id, utc_now(), workdir, export_kind)
    except Unreadable as exc:
        copy = _quarantine(con, file, fp, exc.reason, run_id, qdir)
        return _result(file, fp, None, "quarantined", started, reason=exc.reason, quarantine_path=copy)
    return _result(file, fp, landed.rows, "replaced" if replaces else "landed", started,
                   warnings=landed.warnings, export_kind=export_kind)


def first_files(con: duckdb.DuckDBPyConnection, files: list[ExportFile]) -> set[str]:
    """The files (relative paths) that are the first of their entity: the earliest export day among this run's
    files of an entity (of one account) none of whose files has landed rows before."""
    landed = {
        (r[0], r[1], r[2])
        for r in con.execute(
            "select distinct system, entity, nullif(split_part(split_part(file_path, '/', 1), '@', 2), '') "
            "from raw._landing_files where has_rows_in_raw"
        ).fetchall()
    }
    earliest: dict[tuple[str | None, str | None, str | None], ExportFile] = {}
    for file in files:
        if file.problem is not None or file.export_date is None or file.entity is None:
            continue
        key = (file.system, file.entity_name, file.account)
        if key in landed:
            continue
        if key not in earliest or file.export_date < earliest[key].export_date:
            earliest[key] = file
    return {f.relative for f in earliest.values()}


def land_all(
    raw_root: Path, warehouse: Path, quarantine_dir: Path | None = None, history: bool = False,
    loaders: list[LoaderSource] | None = None, today: date | None = None,
) -> LandingReport:
    """Land every new or changed file under ``raw_root`` into ``warehouse``; quarantine unreadable ones, refuse
    wrong paths, links, hidden and special files (listed in the report, never landed).

    ``history``: every file landed in this run is a history dump (see the module's description); without it only
    the first file of each entity is.

    ``loaders``: tables a loader wrote into a DuckDB file, exported under ``raw_root`` first and landed as history
    dumps (``ccw.land.loaders``; default: ``CCW_LOADER_SOURCES``).

    ``today`` (default: today in UTC): the day of loader exports and the bound of plausible export days.

    ``quarantine_dir`` defaults to ``<data dir>/quarantine`` (``ccw.config``). Raises
    ``WarehouseLockedError`` when another process holds the warehouse.
    """
    if quarantine_dir is None:
        from ccw.config import settings

        quarantine_dir = settings().quarantine_dir
    started = time.perf_counter()
    report = LandingReport(raw_root=raw_root, warehouse=warehouse, run_id=uuid.uuid4().hex)
    if loaders is None:
        loaders = configured_sources()
    con = open_warehouse(warehouse)
    try:
        ensure_raw_tables(con)
        if loaders:
            report.imports = import_loader_tables(con, loaders, raw_root, today)
        imported = {i.file_path for i in report.imports if i.file_path}
        found = scan(raw_root, today)
        if raw_root.is_dir():  # a missing raw root (a mount not there) retires nothing
            report.retired = retire_missing(con, {f.relative for f in found.landable}, utc_now())
        state = load_state(con)
        firsts = first_files(con, found.files)
        for entry in found.refused:
            report.files.append(_refuse_entry(con, entry, report.run_id))
        with tempfile.TemporaryDirectory(prefix="ccw-land-") as workdir:
            for file in found.files:
                kind = "history" if history or file.relative in firsts or file.relative in imported else "daily"
                result = _land_one(con, file, state.get(file.relative), report.run_id, quarantine_dir, Path(workdir),
                                   raw_root, kind)
                report.files.append(result)
        report.files.sort(key=lambda f: f.path)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report
