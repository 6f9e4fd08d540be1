"""Read the landing state per file and record each attempt in ``raw._landing_manifest``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ccw.land.fingerprint import Fingerprint
from ccw.land.paths import ExportFile
from ccw.land.tables import FILES_VIEW, MANIFEST


@dataclass(frozen=True)
class PriorState:
    """What earlier runs did with one file path."""

    checksum: str | None  # checksum seen at the latest attempt
    last_outcome: str
    last_reason: str | None
    landed_checksum: str | None  # the version whose rows are in the raw table, if any
    landed_rows: int | None


def load_state(con: duckdb.DuckDBPyConnection) -> dict[str, PriorState]:
    rows = con.execute(
        f"select file_path, checksum, last_outcome, last_reason, landed_checksum, landed_rows from {FILES_VIEW}"
    ).fetchall()
    return {r[0]: PriorState(*r[1:]) for r in rows}


def record_attempt(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    file: ExportFile,
    fp: Fingerprint | None,
    rows: int | None,
    at: datetime,
    outcome: str,
    reason: str | None = None,
) -> None:
    con.execute(
        f"""
        insert into {MANIFEST} (run_id, file_path, system, entity, export_date, checksum, bytes, rows,
                                file_modified_at, landed_at, outcome, reason)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            run_id,
            file.relative,
            file.system,
            file.entity_name,
            file.export_date,
            fp.checksum if fp else None,
            fp.bytes if fp else None,
            rows,
            fp.modified_at if fp else None,
            at,
            outcome,
            reason,
        ],
    )
