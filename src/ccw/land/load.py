"""Land one export file: check it, then delete its earlier rows and insert its rows in one transaction.

Either every row of the file lands together with its manifest entry, or nothing does and the
file is reported ``Unreadable`` (the caller quarantines it). A file whose fields differ from the registry's
without missing a required one lands (``ccw.land.columns``): its warnings go to the manifest's ``reason``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb

from ccw.exports import Entity
from ccw.land import readers
from ccw.land.columns import Layout, check_csv, check_json, check_parquet
from ccw.land.errors import Unreadable, short
from ccw.land.fingerprint import Fingerprint
from ccw.land.manifest import record_attempt
from ccw.land.outcomes import Landed
from ccw.land.paths import ExportFile
from ccw.land.readers import insert_columns, select_sql
from ccw.land.tables import SCHEMA
from ccw.land.transcode import gunzip_to, is_gzip, transcode_to_utf8
from ccw.sqltext import ident

#: Errors about the engine, the warehouse or this code, never about the file: they stop the run.
_NOT_THE_FILE = (
    duckdb.OutOfMemoryException,
    duckdb.FatalException,
    duckdb.InternalException,
    duckdb.InterruptException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.ParserException,
    duckdb.TransactionException,
    duckdb.PermissionException,
)
_FORMAT_LABEL = {"jsonl": "corrupt JSON", "csv": "malformed CSV", "parquet": "unreadable Parquet"}
_LINE = re.compile(r"CSV Error on Line: (\d+)")
_LINE_SIZE = re.compile(r"Maximum line size of \d+ bytes exceeded\. Actual Size: ?(\d+) bytes")


def reason_of(file_format: str, message: str) -> str:
    """The quarantine reason for an engine error: its first line, or the line and the bound for an over-long line
    (the engine's message would quote the whole line)."""
    size = _LINE_SIZE.search(message)
    if size:
        line = _LINE.search(message)
        where = f"line {line[1]}" if line else "a line"
        return (f"{_FORMAT_LABEL[file_format]}: {where} is {int(size[1]):,} bytes, over the bound of "
                f"{readers.MAX_RECORD_BYTES:,} bytes per line (ccw.land.readers.MAX_RECORD_BYTES)")
    return f"{_FORMAT_LABEL[file_format]}: {short(message)}"


def readable_copy(entity: Entity, file: ExportFile, workdir: Path) -> Path:
    """The path DuckDB should read: the file itself, or a decompressed copy of a gzip file (known by its first bytes,
    ``ccw.land.transcode``), or a UTF-8 copy of a non-UTF-8 file."""
    source = file.path
    if entity.file_format != "parquet" and is_gzip(source):
        source = workdir / f"{entity.table}.{file.path.name}.plain"
        try:
            gunzip_to(file.path, source)
        except BaseException:
            source.unlink(missing_ok=True)
            raise
    if entity.encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        return source
    target = workdir / f"{entity.table}.{file.path.name}.utf8"
    try:
        transcode_to_utf8(source, target, entity.encoding)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        if source != file.path:
            source.unlink(missing_ok=True)
    return target


def check_columns(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> Layout:
    """The file's layout against the registry; ``Unreadable`` when a required field is missing."""
    if entity.file_format == "csv":
        return check_csv(entity, path)
    if entity.file_format == "jsonl":
        return check_json(con, entity, path)
    return check_parquet(con, entity, path)


def land_file(
    con: duckdb.DuckDBPyConnection,
    file: ExportFile,
    fp: Fingerprint,
    replaces: bool,
    run_id: str,
    at: datetime,
    workdir: Path,
    export_kind: str = "daily",
) -> Landed:
    """Land ``file`` (replacing its earlier rows when ``replaces``): the rows landed and the warnings.

    ``export_kind`` (``daily`` | ``history``) is recorded in the manifest: the raw gates judge the record time of
    daily files only against their export day (``ccw.quality.raw_rules``)."""
    entity = file.entity
    if file.problem or entity is None or file.export_date is None:
        raise Unreadable(file.problem or "not a registered export file")
    if fp.bytes == 0:
        raise Unreadable("empty file: 0 bytes, no header or records")
    source = readable_copy(entity, file, workdir)
    try:
        layout = check_columns(con, entity, source)
        header = list(layout.header) if layout.header is not None else None
        table = f"{SCHEMA}.{ident(entity.table)}"
        con.begin()
        try:
            if replaces:
                con.execute(f"delete from {table} where _source_file = ?", [file.relative])
            params = {
                "source_file": file.relative,
                "export_date": file.export_date,
                "checksum": fp.checksum,
                "landed_at": at,
            }
            inserted = con.execute(
                f"insert into {table} ({insert_columns(entity)}) {select_sql(entity, source, header, layout)}",
                params,
            ).fetchone()
            rows = int(inserted[0]) if inserted else 0
            warnings = tuple(layout.warnings)
            record_attempt(con, run_id, file, fp, rows, at, "replaced" if replaces else "landed",
                           "; ".join(warnings) or None, export_kind)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except _NOT_THE_FILE:
        raise
    except duckdb.IOException as exc:
        if str(source) not in str(exc):  # e.g. the warehouse's disk is full
            raise
        raise Unreadable(reason_of(entity.file_format, str(exc))) from exc
    except duckdb.Error as exc:  # invalid input, conversion errors, corrupt pages, ...
        raise Unreadable(reason_of(entity.file_format, str(exc))) from exc
    finally:
        if source != file.path:
            source.unlink(missing_ok=True)
    return Landed(rows, warnings)
