"""Where landing keeps its bookkeeping: the manifest, the quarantine log, refused paths and retired records.

The decisions of a landing run (``ccw.land.runner``: skip an unchanged file, keep a still-quarantined one
quarantined, replace a re-sent file, judge history against daily exports, retire the records of files that are
gone) are the same whatever engine holds the raw tables. They read and write the bookkeeping through a
:class:`LandingStore`, so each engine implements only how: :class:`DuckDBStore` here (SQL statements on the build
database, each quarantine recorded in one transaction), ``ccw.land.spark.store.SparkStore`` for Spark.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb

from ccw.land import manifest, quarantine
from ccw.land.fingerprint import Fingerprint
from ccw.land.manifest import PriorState
from ccw.land.paths import ExportFile
from ccw.land.tables import FILES_VIEW

#: (system, entity, account) of every entity that has rows in its raw table; portable SQL (DuckDB and Spark)
LANDED_ENTITIES_SQL = (
    "select distinct system, entity, nullif(split_part(split_part(file_path, '/', 1), '@', 2), '') "
    f"from {FILES_VIEW} where has_rows_in_raw"
)


class LandingStore(Protocol):
    """The bookkeeping one landing run reads and writes (one implementation per engine)."""

    def load_state(self) -> dict[str, PriorState]:
        """What earlier runs did with each file path."""
        ...

    def landed_entities(self) -> set[tuple[str | None, str | None, str | None]]:
        """(system, entity, account) of the entities with rows in their raw table (their next file is daily)."""
        ...

    def record_attempt(self, run_id: str, file: ExportFile, fp: Fingerprint | None, rows: int | None, at: datetime,
                       outcome: str, reason: str | None = None, export_kind: str | None = None) -> None:
        """One manifest row (``ccw.land.manifest.record_attempt``)."""
        ...

    def record_quarantine(self, run_id: str, file: ExportFile, fp: Fingerprint, reason: str, copy: Path,
                          at: datetime) -> None:
        """A quarantined file: its row in the quarantine log and its ``quarantined`` attempt, together."""
        ...

    def record_refused(self, run_id: str, relative: str, kind: str, reason: str, at: datetime,
                       fp: Fingerprint | None = None, copy: Path | None = None) -> None:
        """A path refused by its path alone (``raw._refused_paths``)."""
        ...

    def retire_missing(self, landable: set[str], at: datetime) -> list[str]:
        """Retire the quarantine records of paths not in ``landable`` (``ccw.land.manifest.retire_missing``)."""
        ...


class DuckDBStore:
    """The bookkeeping tables of the DuckDB build database, on the landing run's one connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def load_state(self) -> dict[str, PriorState]:
        return manifest.load_state(self.con)

    def landed_entities(self) -> set[tuple[str | None, str | None, str | None]]:
        return {(r[0], r[1], r[2]) for r in self.con.execute(LANDED_ENTITIES_SQL).fetchall()}

    def record_attempt(self, run_id: str, file: ExportFile, fp: Fingerprint | None, rows: int | None, at: datetime,
                       outcome: str, reason: str | None = None, export_kind: str | None = None) -> None:
        manifest.record_attempt(self.con, run_id, file, fp, rows, at, outcome, reason, export_kind)

    def record_quarantine(self, run_id: str, file: ExportFile, fp: Fingerprint, reason: str, copy: Path,
                          at: datetime) -> None:
        self.con.begin()
        try:
            quarantine.record_quarantine(self.con, file, fp, reason, copy, at)
            manifest.record_attempt(self.con, run_id, file, fp, None, at, "quarantined", reason)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def record_refused(self, run_id: str, relative: str, kind: str, reason: str, at: datetime,
                       fp: Fingerprint | None = None, copy: Path | None = None) -> None:
        quarantine.record_refused(self.con, run_id, relative, kind, reason, at, fp, copy)

    def retire_missing(self, landable: set[str], at: datetime) -> list[str]:
        return manifest.retire_missing(self.con, landable, at)
