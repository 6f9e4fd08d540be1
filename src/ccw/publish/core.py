"""``publish``: the last step of a run, after every blocking check passed.

1. take the publish lock and delete what a killed publish left behind;
2. copy the marts of the build database into a new hidden file next to the serving file (old storage version,
   ``_publish`` table), fsync it;
3. export the same tables as Parquet into a staging folder with ``manifest.json``, fsync it;
4. ``os.replace`` the new file onto the serving path, then swap the Parquet link.

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
from ccw.publish.parquet import export_parquet, swap_in
from ccw.publish.serving import MART_SCHEMA, SERVING_ALIAS, STORAGE_VERSION, list_marts, write_serving_copy


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

    def render(self) -> str:
        return (
            f"Published {self.tables} marts ({self.rows:,} rows, version {self.version_id}) in {self.seconds:.1f} s\n"
            f"  serving file: {self.serving} ({self.serving_bytes / 1e6:.1f} MB, storage {self.storage_version})\n"
            f"  parquet:      {self.parquet_dir} ({self.parquet_bytes / 1e6:.1f} MB + manifest.json)"
        )


class NothingToPublish(RuntimeError):
    """The build database has no marts: publishing would replace the serving file with an empty one."""


def new_version_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def publish(build_warehouse: Path, serving: Path, parquet_dir: Path | None = None) -> PublishResult:
    """Publish the marts of ``build_warehouse`` to ``serving`` (and Parquet under ``parquet_dir``, default
    ``<serving parent>/parquet``), atomically. Raises (changing nothing readers see) when anything fails."""
    started = time.perf_counter()
    build_warehouse, serving = Path(build_warehouse), Path(serving)
    parquet_dir = Path(parquet_dir) if parquet_dir else serving.parent / "parquet"
    if not build_warehouse.exists():
        raise FileNotFoundError(f"no build database at {build_warehouse}")
    serving.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.parent.mkdir(parents=True, exist_ok=True)

    with files.publish_lock(serving):
        removed = files.remove_leftovers(serving, parquet_dir)
        now = datetime.now(UTC)
        version_id, published_at = new_version_id(now), now.replace(tzinfo=None).isoformat(sep=" ")
        temp = files.serving_temp_path(serving, version_id)
        staging: Path | None = None
        con = duckdb.connect()
        try:
            # attach under the file's own name: dbt's views refer to their relations as "<stem>"."<schema>"...
            build_catalog = build_warehouse.stem
            con.execute(
                f"attach {files.sql_literal(build_warehouse)} as {files.sql_identifier(build_catalog)} (read_only)"
            )
            marts = list_marts(con, build_catalog)
            if not marts:
                raise NothingToPublish(f"no tables in schema {MART_SCHEMA} of {build_warehouse}")
            counts = write_serving_copy(con, build_catalog, temp, marts, version_id, published_at)
            copied = time.perf_counter()
            con.execute(f"attach {files.sql_literal(temp)} as {SERVING_ALIAS} (read_only)")
            staging = export_parquet(con, SERVING_ALIAS, MART_SCHEMA, counts, parquet_dir, version_id, published_at)
            con.execute(f"detach {SERVING_ALIAS}")
            exported = time.perf_counter()
        except BaseException:
            con.close()
            files.remove_leftovers(serving, parquet_dir)
            raise
        con.close()
        files.fsync_path(temp)
        serving_bytes = temp.stat().st_size
        files.replace_file(temp, serving)
        export = swap_in(staging, parquet_dir, version_id)

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
        parquet_seconds=round(exported - copied, 3),
        seconds=round(time.perf_counter() - started, 3),
    )
