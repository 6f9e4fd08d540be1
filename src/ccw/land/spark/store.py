"""``SparkStore``: landing's bookkeeping (``ccw.land.store.LandingStore``) in the Spark catalogue.

A Spark statement costs tenths of a second whatever its size, so the attempts, quarantine and refusal rows of a
run are kept in memory and appended in one insert per table (:meth:`SparkStore.flush`: after each entity's files,
and at the end of the run, also when it fails). A crash before a flush leaves rows landed without their manifest
row; the next run then lands those files again, which is harmless: a file's rows are a folder of their own that a
new landing of the file overwrites (``ccw.land.spark.write``), never a second copy.

Attempt ids are the manifest's ``max(attempt_id)`` + 1, 2, ... (one landing at a time holds the catalogue: Derby,
the local metastore, admits one process). Timestamps are written as UTC instants and read back as UTC text, so the
file modification times compare equal to ``ccw.land.fingerprint`` 's whatever the machine's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ccw.land.fingerprint import Fingerprint
from ccw.land.manifest import RETIRED_REASON, PriorState
from ccw.land.paths import ExportFile
from ccw.land.spark.tables import quoted, table_schema
from ccw.land.store import LANDED_ENTITIES_SQL
from ccw.land.tables import FILES_VIEW, MANIFEST, MANIFEST_RETIRED, QUARANTINE, QUARANTINE_RETIRED, REFUSED_PATHS

_TEXT_TIME = "yyyy-MM-dd HH:mm:ss.SSSSSS"


def _utc(value: datetime | None) -> datetime | None:
    """A naive UTC timestamp as an aware one: pyspark would read a naive one in the machine's time zone."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class SparkStore:
    """The bookkeeping tables of schema ``raw`` on Spark, written in batches."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        newest = spark.sql(f"select max(attempt_id) from {quoted(MANIFEST)}").collect()[0][0]
        self.next_attempt_id = int(newest or 0) + 1
        self.pending: dict[str, list[dict[str, Any]]] = {}

    def _add(self, table: str, **row: Any) -> None:
        self.pending.setdefault(table, []).append(row)

    def flush(self) -> None:
        """Append the rows kept since the last flush, one insert per table."""
        for table, rows in list(self.pending.items()):
            if rows:
                schema = table_schema(self.spark, table)
                ordered = [tuple(_utc(r.get(f.name)) if isinstance(r.get(f.name), datetime) else r.get(f.name)
                                 for f in schema.fields) for r in rows]
                self.spark.createDataFrame(ordered, schema).write.insertInto(quoted(table))
            del self.pending[table]

    def load_state(self) -> dict[str, PriorState]:
        rows = self.spark.sql(
            f"select file_path, checksum, last_outcome, last_reason, landed_checksum, landed_rows, export_kind, bytes, "
            f"date_format(file_modified_at, '{_TEXT_TIME}') from {quoted(FILES_VIEW)}").collect()
        return {
            r[0]: PriorState(r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                             datetime.fromisoformat(r[8]) if r[8] is not None else None)
            for r in rows
        }

    def landed_entities(self) -> set[tuple[str | None, str | None, str | None]]:
        return {(r[0], r[1], r[2]) for r in self.spark.sql(LANDED_ENTITIES_SQL).collect()}

    def record_attempt(self, run_id: str, file: ExportFile, fp: Fingerprint | None, rows: int | None, at: datetime,
                       outcome: str, reason: str | None = None, export_kind: str | None = None) -> None:
        self._add(MANIFEST, attempt_id=self.next_attempt_id, run_id=run_id, file_path=file.relative,
                  system=file.system, entity=file.entity_name, export_date=file.export_date,
                  checksum=fp.checksum if fp else None, bytes=fp.bytes if fp else None, rows=rows,
                  file_modified_at=fp.modified_at if fp else None, landed_at=at, outcome=outcome, reason=reason,
                  export_kind=export_kind)
        self.next_attempt_id += 1

    def record_quarantine(self, run_id: str, file: ExportFile, fp: Fingerprint, reason: str, copy: Path,
                          at: datetime) -> None:
        self._add(QUARANTINE, file_path=file.relative, system=file.system, entity=file.entity_name,
                  checksum=fp.checksum, reason=reason, quarantine_path=str(copy), quarantined_at=at)
        self.record_attempt(run_id, file, fp, None, at, "quarantined", reason)

    def record_refused(self, run_id: str, relative: str, kind: str, reason: str, at: datetime,
                       fp: Fingerprint | None = None, copy: Path | None = None) -> None:
        self._add(REFUSED_PATHS, run_id=run_id, file_path=relative, kind=kind, reason=reason,
                  checksum=fp.checksum if fp else None, bytes=fp.bytes if fp else None,
                  quarantine_path=str(copy) if copy else None, refused_at=at)

    def retire_missing(self, landable: set[str], at: datetime) -> list[str]:
        """As ``ccw.land.manifest.retire_missing``. Parquet tables have no DELETE: the kept rows are materialised
        (``localCheckpoint``, so the plan no longer reads the table) and the table is overwritten with them, after
        the retired rows were appended to the ``*_retired`` table."""
        self.flush()
        paths = self.spark.sql(
            f"select distinct file_path from {quoted(MANIFEST)} where outcome = 'quarantined' "
            f"union select distinct file_path from {quoted(QUARANTINE)}").collect()
        gone = sorted(r[0] for r in paths if r[0] not in landable)
        if not gone:
            return []
        stamp = [F.lit(_utc(at)).cast("timestamp").alias("retired_at"), F.lit(RETIRED_REASON).alias("retired_reason")]
        for table, retired, where in (
            (MANIFEST, MANIFEST_RETIRED, (F.col("outcome") == "quarantined") & F.col("file_path").isin(gone)),
            (QUARANTINE, QUARANTINE_RETIRED, F.col("file_path").isin(gone)),
        ):
            rows = self.spark.table(quoted(table))
            columns = [F.col(f"`{f.name}`") for f in table_schema(self.spark, retired).fields
                       if f.name not in ("retired_at", "retired_reason")]
            rows.where(where).select(*columns, *stamp).write.insertInto(quoted(retired))
            kept = rows.where(~where).localCheckpoint(eager=True)
            kept.write.insertInto(quoted(table), overwrite=True)
        return gone
