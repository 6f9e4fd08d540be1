"""Set an unlandable file aside: a copy under the quarantine folder, a row in ``raw._quarantine``.

The original stays where it is; the copy is ``<quarantine dir>/<system>/<entity>/<name>.<checksum8>``
with the reason next to it in ``<copy>.reason``.

A path refused by its path alone goes to ``raw._refused_paths`` instead (no dbt model reads it): a regular
file with a bad name or place is copied aside the same way; a symbolic link, hidden or special file is only
listed, never opened or copied.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path, PurePosixPath

import duckdb

from ccw.land.fingerprint import Fingerprint
from ccw.land.paths import ExportFile
from ccw.land.tables import QUARANTINE, REFUSED_PATHS


def quarantine_path(file: ExportFile, fp: Fingerprint, quarantine_dir: Path) -> Path:
    relative = PurePosixPath(file.relative)
    return quarantine_dir.joinpath(*relative.parent.parts, f"{relative.name}.{fp.short}")


def copy_aside(file: ExportFile, fp: Fingerprint, quarantine_dir: Path, reason: str) -> Path:
    target = quarantine_path(file, fp, quarantine_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(file.path, target, follow_symlinks=False)
    target.with_name(target.name + ".reason").write_text(f"{file.relative}\n{reason}\n", encoding="utf-8")
    return target


def record_refused(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    relative: str,
    kind: str,
    reason: str,
    at: datetime,
    fp: Fingerprint | None = None,
    copy: Path | None = None,
) -> None:
    con.execute(
        f"""
        insert into {REFUSED_PATHS} (run_id, file_path, kind, reason, checksum, bytes, quarantine_path, refused_at)
        values (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [run_id, relative, kind, reason, fp.checksum if fp else None, fp.bytes if fp else None,
         str(copy) if copy else None, at],
    )


def record_quarantine(
    con: duckdb.DuckDBPyConnection, file: ExportFile, fp: Fingerprint, reason: str, copy: Path, at: datetime
) -> None:
    con.execute(
        f"""
        insert into {QUARANTINE} (file_path, system, entity, checksum, reason, quarantine_path, quarantined_at)
        values (?, ?, ?, ?, ?, ?, ?)
        """,
        [file.relative, file.system, file.entity_name, fp.checksum, reason, str(copy), at],
    )
