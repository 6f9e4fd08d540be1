"""Land one export file: check it, then delete its earlier rows and insert its rows in one transaction.

Either every row of the file lands together with its manifest entry, or nothing does and the
file is reported ``Unreadable`` (the caller quarantines it).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb

from ccw.exports import Entity
from ccw.land import readers
from ccw.land.columns import check_csv, check_json, check_parquet
from ccw.land.errors import Unreadable, short
from ccw.land.fingerprint import Fingerprint
from ccw.land.manifest import record_attempt
from ccw.land.paths import ExportFile
from ccw.land.readers import insert_columns, select_sql
from ccw.land.sql import ident
from ccw.land.tables import SCHEMA
from ccw.land.transcode import transcode_to_utf8

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
    """The path DuckDB should read: the file itself, or a UTF-8 copy of a non-UTF-8 file."""
    if entity.encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        return file.path
    target = workdir / f"{entity.table}.{file.path.name}.utf8"
    try:
        transcode_to_utf8(file.path, target, entity.encoding)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def check_columns(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> list[str] | None:
    """Raise ``Unreadable`` unless the file has exactly the registry's fields; CSV: return the header."""
    if entity.file_format == "csv":
        return check_csv(entity, path)
    if entity.file_format == "jsonl":
        check_json(con, entity, path)
    else:
        check_parquet(con, entity, path)
    return None


def land_file(
    con: duckdb.DuckDBPyConnection,
    file: ExportFile,
    fp: Fingerprint,
    replaces: bool,
    run_id: str,
    at: datetime,
    workdir: Path,
) -> int:
    """Land ``file`` (replacing its earlier rows when ``replaces``); the number of rows landed."""
    entity = file.entity
    if file.problem or entity is None or file.export_date is None:
        raise Unreadable(file.problem or "not a registered export file")
    if fp.bytes == 0:
        raise Unreadable("empty file: 0 bytes, no header or records")
    source = readable_copy(entity, file, workdir)
    try:
        header = check_columns(con, entity, source)
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
                f"insert into {table} ({insert_columns(entity)}) {select_sql(entity, source, header)}", params
            ).fetchone()
            rows = int(inserted[0]) if inserted else 0
            record_attempt(con, run_id, file, fp, rows, at, "replaced" if replaces else "landed")
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
    return rows
