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

The decisions are engine-neutral (:func:`judge_paths`, :func:`plan_file`, :func:`landed_result`,
:func:`quarantined_result`) and keep the bookkeeping through a ``ccw.land.store.LandingStore``: ``land_all`` lands
into DuckDB one file at a time, ``ccw.land.spark.land_all_on_spark`` plans every file first and reads the files of
one entity together.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ccw.land.connection import open_warehouse
from ccw.land.errors import Unreadable
from ccw.land.fingerprint import Fingerprint, fingerprint, unchanged_by_stat, utc_now
from ccw.land.load import land_file
from ccw.land.loaders import LoaderSource, configured_sources, import_loader_tables
from ccw.land.manifest import PriorState
from ccw.land.outcomes import FileResult, Landed, LandingReport
from ccw.land.paths import ExportFile, RawScan, Refused, inside_raw_root, scan
from ccw.land.quarantine import copy_aside, quarantine_path
from ccw.land.store import DuckDBStore, LandingStore
from ccw.land.tables import ensure_raw_tables

STILL_QUARANTINED = "still quarantined (file unchanged): "


@dataclass(frozen=True)
class Pending:
    """A file the rules say must be read and landed now (new, or changed since its latest attempt)."""

    file: ExportFile
    fp: Fingerprint
    replaces: bool  # rows of an earlier version are in the raw table: the engine replaces them
    export_kind: str  # daily | history
    started: float  # perf_counter when its planning began (the result's seconds)


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


def _refuse_entry(store: LandingStore, entry: Refused, run_id: str) -> FileResult:
    """A symbolic link, hidden or special file: listed with its reason, never opened, followed or copied. Hidden
    entries are ``ignored`` (listed, not a finding); the others are ``refused``."""
    store.record_refused(run_id, entry.relative, entry.kind, entry.reason, utc_now())
    return FileResult(path=entry.relative, entity=None, export_date=None, checksum=None, rows=None,
                      outcome="ignored" if entry.kind == "hidden" else "refused", reason=entry.reason)


def _unreadable_now(store: LandingStore, file: ExportFile, run_id: str, why: str) -> FileResult:
    """A file found by the scan that is no longer a regular file inside the raw root when it is to be read."""
    return _refuse_entry(store, Refused(file.path, file.relative, "special", why), run_id)


_SWAPPED = "no longer a regular file inside the raw root when it was to be read (a link is never followed)"


def _fingerprint_or_refuse(
    store: LandingStore, file: ExportFile, run_id: str, raw_root: Path
) -> Fingerprint | FileResult:
    if not inside_raw_root(file.path, raw_root):
        return _unreadable_now(store, file, run_id, _SWAPPED)
    try:
        return fingerprint(file.path)
    except FileNotFoundError:
        return _unreadable_now(store, file, run_id, "disappeared before it could be read")
    except OSError:
        return _unreadable_now(store, file, run_id, _SWAPPED)


def _known_bytes(file: ExportFile, prior: PriorState | None, raw_root: Path) -> Fingerprint | None:
    """The latest attempt's fingerprint when the file still has its size and modification time (not read again)."""
    if prior is None or not inside_raw_root(file.path, raw_root):
        return None
    return unchanged_by_stat(file.path, prior.checksum, prior.bytes, prior.file_modified_at)


def _refuse_path(store: LandingStore, file: ExportFile, run_id: str, qdir: Path, raw_root: Path) -> FileResult:
    """A regular file whose path is wrong: copied aside once per content, listed, never landed."""
    started = time.perf_counter()
    reason = file.problem or "not a landable path"
    fp = _fingerprint_or_refuse(store, file, run_id, raw_root)
    if isinstance(fp, FileResult):
        return fp
    copy = quarantine_path(file, fp, qdir)
    if not copy.exists():
        copy = copy_aside(file, fp, qdir, reason)
    store.record_refused(run_id, file.relative, "path", reason, utc_now(), fp, copy)
    return _result(file, fp, None, "refused", started, reason=reason, quarantine_path=copy)


def plan_file(
    store: LandingStore,
    file: ExportFile,
    prior: PriorState | None,
    run_id: str,
    qdir: Path,
    raw_root: Path,
    export_kind: str = "daily",
) -> FileResult | Pending:
    """What the rules say of one file before its records are read: refused by its path, unchanged or still
    quarantined (recorded, done: a :class:`FileResult`), or to be landed (a :class:`Pending`)."""
    if file.problem is not None:
        return _refuse_path(store, file, run_id, qdir, raw_root)
    started = time.perf_counter()
    fp = _known_bytes(file, prior, raw_root) or _fingerprint_or_refuse(store, file, run_id, raw_root)
    if isinstance(fp, FileResult):
        return fp
    if prior is not None and prior.checksum == fp.checksum:
        if prior.last_outcome == "quarantined":
            reason = prior.last_reason or ""
            reason = reason if reason.startswith(STILL_QUARANTINED) else STILL_QUARANTINED + reason
            store.record_attempt(run_id, file, fp, None, utc_now(), "quarantined", reason)
            return _result(file, fp, None, "quarantined", started, reason=reason)
        store.record_attempt(run_id, file, fp, prior.landed_rows, utc_now(), "unchanged")
        return _result(file, fp, prior.landed_rows, "unchanged", started)
    replaces = prior is not None and prior.landed_checksum is not None
    if prior is not None and prior.export_kind == "history":
        export_kind = "history"
    return Pending(file, fp, replaces, export_kind, started)


def landed_result(pending: Pending, landed: Landed) -> FileResult:
    """The result of a file whose rows the engine landed (and recorded in the manifest)."""
    return _result(pending.file, pending.fp, landed.rows, "replaced" if pending.replaces else "landed",
                   pending.started, warnings=landed.warnings, export_kind=pending.export_kind)


def quarantined_result(store: LandingStore, pending: Pending, reason: str, run_id: str, qdir: Path) -> FileResult:
    """A file the engine could not land: a copy set aside, the quarantine recorded; its earlier rows stay."""
    at = utc_now()
    copy = copy_aside(pending.file, pending.fp, qdir, reason)
    store.record_quarantine(run_id, pending.file, pending.fp, reason, copy, at)
    return _result(pending.file, pending.fp, None, "quarantined", pending.started, reason=reason,
                   quarantine_path=copy)


def _land_one(
    store: DuckDBStore,
    file: ExportFile,
    prior: PriorState | None,
    run_id: str,
    qdir: Path,
    workdir: Path,
    raw_root: Path,
    export_kind: str = "daily",
) -> FileResult:
    step = plan_file(store, file, prior, run_id, qdir, raw_root, export_kind)
    if isinstance(step, FileResult):
        return step
    try:
        landed = land_file(store.con, file, step.fp, step.replaces, run_id, utc_now(), workdir, step.export_kind)
    except Unreadable as exc:
        return quarantined_result(store, step, exc.reason, run_id, qdir)
    return landed_result(step, landed)


def first_files(landed: set[tuple[str | None, str | None, str | None]], files: list[ExportFile]) -> set[str]:
    """The files (relative paths) that are the first of their entity: the earliest export day among this run's
    files of an entity (of one account) none of whose files has landed rows before (``landed``: the
    (system, entity, account) that have, ``LandingStore.landed_entities``)."""
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


@dataclass
class Judged:
    """The run's view of the raw root once paths are judged: what to plan, each file's prior state and kind."""

    found: RawScan
    state: dict[str, PriorState]
    firsts: set[str]

    def export_kind(self, file: ExportFile, history: bool, imported: set[str] | frozenset[str] = frozenset()) -> str:
        """``history`` for a run of history dumps, an entity's first file or a loader's export; else ``daily``."""
        return "history" if history or file.relative in self.firsts or file.relative in imported else "daily"


def judge_paths(store: LandingStore, raw_root: Path, report: LandingReport, today: date | None = None) -> Judged:
    """Scan the raw root, retire the quarantine records of files that are gone, read the state, record the refused
    entries (links, hidden and special files) in ``report``."""
    found = scan(raw_root, today)
    if raw_root.is_dir():  # a missing raw root (a mount not there) retires nothing
        report.retired = store.retire_missing({f.relative for f in found.landable}, utc_now())
    state = store.load_state()
    firsts = first_files(store.landed_entities(), found.files)
    for entry in found.refused:
        report.files.append(_refuse_entry(store, entry, report.run_id))
    return Judged(found, state, firsts)


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
        store = DuckDBStore(con)
        if loaders:
            report.imports = import_loader_tables(con, loaders, raw_root, today)
        imported = {i.file_path for i in report.imports if i.file_path}
        judged = judge_paths(store, raw_root, report, today)
        with tempfile.TemporaryDirectory(prefix="ccw-land-") as workdir:
            for file in judged.found.files:
                kind = judged.export_kind(file, history, imported)
                result = _land_one(store, file, judged.state.get(file.relative), report.run_id, quarantine_dir,
                                   Path(workdir), raw_root, kind)
                report.files.append(result)
        report.files.sort(key=lambda f: f.path)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report
