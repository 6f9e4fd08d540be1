"""Set an unlandable file aside: a copy under the quarantine folder, a row in ``raw._quarantine``.

The original stays where it is; the copy is ``<quarantine dir>/<system>/<entity>/<name>.<checksum8>``
with the reason next to it in ``<copy>.reason``.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path, PurePosixPath

import duckdb

from ccw.land.fingerprint import Fingerprint
from ccw.land.paths import ExportFile
from ccw.land.tables import QUARANTINE


def quarantine_path(file: ExportFile, fp: Fingerprint, quarantine_dir: Path) -> Path:
    relative = PurePosixPath(file.relative)
    return quarantine_dir.joinpath(*relative.parent.parts, f"{relative.name}.{fp.short}")


def copy_aside(file: ExportFile, fp: Fingerprint, quarantine_dir: Path, reason: str) -> Path:
    target = quarantine_path(file, fp, quarantine_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(file.path, target)
    target.with_name(target.name + ".reason").write_text(f"{file.relative}\n{reason}\n", encoding="utf-8")
    return target


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
