"""Landing: one asset per raw export entity (plus the landing manifest and quarantine), one landing pass.

Partitioned by export day. A run lands every new or changed export file under the raw root (landing is
idempotent: unchanged files are skipped by checksum), so the run for day D lands day D's files and any late
or re-sent ones. A file modified within the settle time is taken as still being written: the step is retried
later (a transient error), as it is when another process holds the build database.
"""

import time
from pathlib import Path

import dagster as dg

from ccw.exports import ENTITIES
from ccw_orchestration.partitions import run_window
from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource, spark_environment
from ccw_orchestration.retries import FileStillBeingWrittenError, retry_transient, unsettled_files
from ccw_orchestration.settings import BUILD_DB_POOL, SPARK, OrchestrationSettings

LAND_GROUP = "land"

RAW_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", e.table]),
        description=e.description,
        group_name=LAND_GROUP,
        kinds={"duckdb", e.file_format},
        metadata={"source_path": f"<raw root>/{e.system}/{e.name}/<YYYY-MM-DD>.{e.extension}"},
    )
    for e in ENTITIES
]
LANDING_LOG_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", "_landing_manifest"]), group_name=LAND_GROUP, kinds={"duckdb"},
        description="Every landing attempt of every export file: checksum, rows, outcome.",
    ),
    dg.AssetSpec(
        key=dg.AssetKey(["raw", "_quarantine"]), group_name=LAND_GROUP, kinds={"duckdb"},
        description="Export files that could not land, with the reason and where the copy was set aside.",
    ),
]


def land_on_spark(raw_root: Path, quarantine_dir: Path):
    """Landing on Spark (``CCW_ENGINE=spark``), in the run's Spark worker (``ccw.spark_worker``), whose session the
    next steps use."""
    from ccw.land.spark import land_all_on_spark
    from ccw.spark import spark_session

    return land_all_on_spark(raw_root, quarantine_dir, spark=spark_session())


def build_landing_assets(
    settings: OrchestrationSettings, partitions_def: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[*RAW_SPECS, *LANDING_LOG_SPECS],
        name="land_raw_exports",
        can_subset=False,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=BUILD_DB_POOL,
    )
    def land_raw_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                         spark_worker: SparkWorkerResource):
        """Land every new or changed export file into raw.<system>__<entity>; quarantine unreadable ones."""
        from ccw.land import land_all
        from ccw.land.outcomes import shown

        raw_root = warehouse.raw_root_path()
        with retry_transient(context, settings):
            busy = unsettled_files(raw_root, settings.file_settle_seconds, time.time())
            if busy:
                names = ", ".join(p.relative_to(raw_root).as_posix() for p in busy[:5])
                raise FileStillBeingWrittenError(
                    f"{len(busy)} export file(s) modified in the last {settings.file_settle_seconds} s: {names}"
                )
            if settings.engine == SPARK:
                data_dir = warehouse.data_dir_path()
                report = spark_worker.call(land_on_spark, raw_root, data_dir / "quarantine",
                                           environment=spark_environment(data_dir))
            else:
                report = land_all(raw_root, warehouse.build_warehouse_path(), warehouse.data_dir_path() / "quarantine")
        context.log.info(report.render())
        window = run_window(context)
        in_window = [f for f in report.files if window is None or (
            f.export_date is not None and window[0] <= f.export_date < window[1])]
        for spec in RAW_SPECS:
            table = spec.key.path[-1]
            files = [f for f in report.files if f.entity == table]
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "files_landed": sum(f.outcome in ("landed", "replaced") for f in files),
                    "files_quarantined": sum(f.outcome == "quarantined" for f in files),
                    "rows_landed": sum(f.rows or 0 for f in files if f.outcome in ("landed", "replaced")),
                    "files_of_the_window": sum(f.entity == table for f in in_window),
                },
            )
        yield dg.MaterializeResult(
            asset_key=LANDING_LOG_SPECS[0].key,
            metadata={f"files_{o}": len([f for f in report.files if f.outcome == o])
                      for o in ("landed", "replaced", "unchanged", "quarantined", "refused", "ignored")},
        )
        # refused: by its path alone (bad name or place, link, hidden or special file), never in the manifest
        yield dg.MaterializeResult(
            asset_key=LANDING_LOG_SPECS[1].key,
            metadata={"files_quarantined": len(report.quarantined),
                      "files_refused": len(report.refused),
                      "reasons": dg.MetadataValue.md("\n".join(
                          f"- `{shown(f.path)}`: {f.reason}" for f in report.quarantined + report.refused)
                          or "none")},
        )

    return land_raw_exports
