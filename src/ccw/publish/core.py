"""``publish``: the last step of a run, after every blocking check passed.

1. take the publish lock and delete what a killed publish left behind;
2. copy the marts of the build database into a new hidden file next to the serving file (old storage version,
   ``_publish`` table); when the previous serving file can be the base, the new file is a copy of it in which only
   the marts that changed are written (``ccw.publish.changes``);
3. when the build has a semantic manifest (``dbt_target/semantic_manifest.json`` beside the build database): write
   the saved-query exports (``metrics.<saved query>``, computed on the new file) and the manifest
   (``main._semantic_manifest``) into the same file (``ccw.publish.metrics``); fsync it;
4. export the marts as Parquet into a staging folder with ``manifest.json`` (a mart kept unchanged: the previous
   version's file, hard-linked), fsync it;
5. ``os.replace`` the new file onto the serving path, then swap the Parquet link.

Until step 4 the previous serving file is untouched, so a failed or killed publish changes nothing readers see.
Readers that opened the previous file keep reading it (the old inode lives until they close it).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ccw.publish import files
from ccw.publish.changes import KEPT, MERGED
from ccw.publish.metrics import export_metrics
from ccw.publish.parquet import export_parquet, promote, realign, reusable_files, swap_in
from ccw.publish.serving import (
    MART_SCHEMA,
    PUBLISH_TABLE,
    SERVING_ALIAS,
    STORAGE_VERSION,
    base_file,
    list_marts,
    write_serving_copy,
)
from ccw.read_serving import connect_serving
from ccw.sqltext import ident, literal


@dataclass(frozen=True)
class PublishResult:
    version_id: str
    published_at: str
    serving: str
    parquet_dir: str
    storage_version: str
    tables: int
    views_materialised: int
    rows: int
    serving_bytes: int
    parquet_bytes: int
    leftovers_removed: int
    copy_seconds: float
    parquet_seconds: float
    seconds: float
    metric_tables: int = 0  # saved-query exports written (0: no semantic manifest beside the build database)
    metric_rows: int = 0
    metrics_seconds: float = 0.0
    from_previous: bool = False  # the serving file started as a copy of the previous one (ccw.publish.changes)
    tables_kept: int = 0  # marts equal to the previous version's: not written, their Parquet file linked
    tables_merged: int = 0  # marts whose changed rows only were written
    rows_written: int = 0  # rows inserted into (and, for merged marts, deleted from) the serving file

    def render(self) -> str:
        metrics = (f"\n  metrics:      {self.metric_tables} saved-query exports ({self.metric_rows:,} rows) in "
                   f"{self.metrics_seconds:.1f} s" if self.metric_tables else "")
        written = self.tables - self.tables_kept - self.tables_merged
        changes = (f"\n  changes:      from the previous version: {self.tables_kept} marts unchanged, "
                   f"{self.tables_merged} merged by row, {written} written; {self.rows_written:,} rows written"
                   if self.from_previous else "")
        return (
            f"Published {self.tables} marts ({self.rows:,} rows, version {self.version_id}) in {self.seconds:.1f} s\n"
            f"  serving file: {self.serving} ({self.serving_bytes / 1e6:.1f} MB, storage {self.storage_version})\n"
            f"  parquet:      {self.parquet_dir} ({self.parquet_bytes / 1e6:.1f} MB + manifest.json){metrics}{changes}"
        )


class NothingToPublish(RuntimeError):
    """The build database has no marts: publishing would replace the serving file with an empty one."""


def new_version_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def default_semantic_manifest(build_warehouse: Path) -> Path:
    """The semantic manifest the dbt build of ``build_warehouse`` wrote (ccw.build: dbt_target beside it)."""
    from ccw.build import dbt_target_path

    return dbt_target_path(Path(build_warehouse)) / "semantic_manifest.json"


def serving_version(serving: Path) -> str | None:
    """The version id of the serving file (its ``_publish`` table); None when there is none or it is unreadable."""
    if not serving.is_file():
        return None
    try:
        with connect_serving(serving) as con:
            (version,) = con.execute(f"select max(version_id) from main.{PUBLISH_TABLE}").fetchone()
    except duckdb.Error:
        return None
    return None if version is None else str(version)


def heal_versions(serving: Path, parquet_dir: Path | None = None) -> bool:
    """Put the Parquet link on the serving file's version when a kill left them apart (between the serving rename
    and the link swap); True when it moved. Every run calls it at its start, before anything else."""
    serving = Path(serving)
    parquet_dir = Path(parquet_dir) if parquet_dir else serving.parent / "parquet"
    if not serving.is_file():
        return False
    with files.publish_lock(serving):
        return realign(parquet_dir, serving_version(serving))


def publish(build_warehouse: Path, serving: Path, parquet_dir: Path | None = None,
            semantic_manifest: Path | None = None, from_previous: bool = True) -> PublishResult:
    """Publish the marts of ``build_warehouse`` to ``serving`` (and Parquet under ``parquet_dir``, default
    ``<serving parent>/parquet``), atomically, with the saved-query exports of ``semantic_manifest`` (default: the
    build's, when it has one). Raises (changing nothing readers see) when anything fails. ``from_previous``: start
    from a copy of the previous serving file when it can be the base, writing only what changed (False: write
    every mart)."""
    started = time.perf_counter()
    build_warehouse, serving = Path(build_warehouse), Path(serving)
    parquet_dir = Path(parquet_dir) if parquet_dir else serving.parent / "parquet"
    if not build_warehouse.exists():
        raise FileNotFoundError(f"no build database at {build_warehouse}")
    semantic_manifest = Path(semantic_manifest) if semantic_manifest else default_semantic_manifest(build_warehouse)
    manifest_text = semantic_manifest.read_text(encoding="utf-8") if semantic_manifest.is_file() else None
    serving.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.parent.mkdir(parents=True, exist_ok=True)

    with files.publish_lock(serving):
        previous_version = serving_version(serving)
        realign(parquet_dir, previous_version)
        removed = files.remove_leftovers(serving, parquet_dir)
        base = base_file(serving) if from_previous else None
        now = datetime.now(UTC)
        version_id, published_at = new_version_id(now), now.replace(tzinfo=None).isoformat(sep=" ")
        temp = files.serving_temp_path(serving, version_id)
        staging: Path | None = None
        con = duckdb.connect()
        try:
            # attach under the file's own name: dbt's views refer to their relations as "<stem>"."<schema>"...
            build_catalog = build_warehouse.stem
            con.execute(
                f"attach {literal(build_warehouse)} as {ident(build_catalog)} (read_only)"
            )
            marts = list_marts(con, build_catalog)
            if not marts:
                raise NothingToPublish(f"no tables in schema {MART_SCHEMA} of {build_warehouse}")
            changes = write_serving_copy(con, build_catalog, temp, marts, version_id, published_at, base)
            counts = {change.name: change.rows for change in changes}
            kept = {change.name for change in changes if change.action == KEPT}
            copied = time.perf_counter()
            exported_metrics = None
            if manifest_text is not None:
                exported_metrics = export_metrics(temp, manifest_text, version_id, published_at, STORAGE_VERSION)
            metrics_done = time.perf_counter()
            con.execute(f"attach {literal(temp)} as {SERVING_ALIAS} (read_only)")
            # a Parquet file's row order is no contract, and DuckDB writes it in parallel when it need not keep the
            # order (1/5 of the scale preset: the churn risk mart's 22 M rows 13.9 -> 10.9 s); the serving copy above
            # keeps the build's order (zone maps by date)
            con.execute("set preserve_insertion_order = false")
            reuse = reusable_files(parquet_dir, previous_version, kept) if base is not None else {}
            staging = export_parquet(con, SERVING_ALIAS, MART_SCHEMA, counts, parquet_dir, version_id, published_at,
                                     reuse)
            con.execute(f"detach {SERVING_ALIAS}")
            exported = time.perf_counter()
        except BaseException:
            con.close()
            files.remove_leftovers(serving, parquet_dir)
            raise
        con.close()
        files.fsync_path(temp)
        serving_bytes = temp.stat().st_size
        version_dir = promote(staging, parquet_dir, version_id)
        files.replace_file(temp, serving)
        export = swap_in(version_dir, parquet_dir, version_id)

    return PublishResult(
        version_id=version_id,
        published_at=published_at,
        serving=str(serving),
        parquet_dir=str(parquet_dir),
        storage_version=STORAGE_VERSION,
        tables=len(counts),
        views_materialised=sum(1 for rel in marts if rel.kind == "VIEW"),
        rows=sum(counts.values()),
        serving_bytes=serving_bytes,
        parquet_bytes=export.bytes,
        leftovers_removed=removed,
        copy_seconds=round(copied - started, 3),
        parquet_seconds=round(exported - metrics_done, 3),
        seconds=round(time.perf_counter() - started, 3),
        metric_tables=len(exported_metrics.tables) if exported_metrics else 0,
        metric_rows=sum(exported_metrics.tables.values()) if exported_metrics else 0,
        metrics_seconds=round(metrics_done - copied, 3),
        from_previous=base is not None,
        tables_kept=len(kept),
        tables_merged=sum(1 for change in changes if change.action == MERGED),
        rows_written=sum(change.written_rows for change in changes),
    )
