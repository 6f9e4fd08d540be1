"""Read the landing state per file and record each attempt in ``raw._landing_manifest``.

The state follows the files: :func:`retire_missing` moves the quarantine records of files that are no longer
landable under the raw root (deleted, renamed, or refused by their path) out of the manifest and the quarantine
log, so that a refusal stops counting once its file is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ccw.land.fingerprint import Fingerprint
from ccw.land.paths import ExportFile
from ccw.land.tables import FILES_VIEW, MANIFEST, MANIFEST_RETIRED, QUARANTINE, QUARANTINE_RETIRED

RETIRED_REASON = "no longer a landable file under the raw root (deleted, renamed or refused by its path)"


@dataclass(frozen=True)
class PriorState:
    """What earlier runs did with one file path."""

    checksum: str | None  # checksum seen at the latest attempt
    last_outcome: str
    last_reason: str | None
    landed_checksum: str | None  # the version whose rows are in the raw table, if any
    landed_rows: int | None
    export_kind: str | None = None  # of the version in the raw table: daily | history
    bytes: int | None = None  # size and modification time seen at the latest attempt
    file_modified_at: datetime | None = None


def load_state(con: duckdb.DuckDBPyConnection) -> dict[str, PriorState]:
    rows = con.execute(
        f"select file_path, checksum, last_outcome, last_reason, landed_checksum, landed_rows, export_kind, bytes, "
        f"file_modified_at from {FILES_VIEW}"
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
    export_kind: str | None = None,
) -> None:
    """One attempt; ``reason`` is why a file was quarantined, or the warnings of one that landed; ``export_kind``
    (``daily`` | ``history``) is set for an attempt that landed rows."""
    con.execute(
        f"""
        insert into {MANIFEST} (run_id, file_path, system, entity, export_date, checksum, bytes, rows,
                                file_modified_at, landed_at, outcome, reason, export_kind)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
            export_kind,
        ],
    )


def retire_missing(con: duckdb.DuckDBPyConnection, landable: set[str], at: datetime) -> list[str]:
    """Move the quarantine records of every file path not in ``landable`` to the ``*_retired`` tables.

    Only quarantine records move: the manifest's ``quarantined`` attempts and the file's rows of
    ``raw._quarantine``. The attempts that landed rows stay, because those rows stay in the raw tables (deleting
    an export does not delete what it landed); the file's state is then its latest landing again. Legacy records
    of paths refused by name (from before landing judged paths first, with no export day) retire the same way.
    Returns the retired paths."""
    rows = con.execute(
        f"select distinct file_path from {MANIFEST} where outcome = 'quarantined' "
        f"union select distinct file_path from {QUARANTINE}"
    ).fetchall()
    gone = sorted(r[0] for r in rows if r[0] not in landable)
    if not gone:
        return []
    con.begin()
    try:
        con.execute("create temporary table _ccw_gone (file_path varchar)")
        con.executemany("insert into _ccw_gone values (?)", [[p] for p in gone])
        con.execute(
            f"insert into {MANIFEST_RETIRED} select m.* exclude (export_kind), ?, ? from {MANIFEST} as m "
            "where m.outcome = 'quarantined' and m.file_path in (select file_path from _ccw_gone)",
            [at, RETIRED_REASON],
        )
        con.execute(f"delete from {MANIFEST} where outcome = 'quarantined' "
                    "and file_path in (select file_path from _ccw_gone)")
        con.execute(
            f"insert into {QUARANTINE_RETIRED} select q.*, ?, ? from {QUARANTINE} as q "
            "where q.file_path in (select file_path from _ccw_gone)",
            [at, RETIRED_REASON],
        )
        con.execute(f"delete from {QUARANTINE} where file_path in (select file_path from _ccw_gone)")
        con.execute("drop table _ccw_gone")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return gone
