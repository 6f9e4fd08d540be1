"""Publish the marts to the serving file BI tools read, then write the daily HTML report from it.

Both wrap functions of ``ccw.publish`` and ``ccw.report``; each asset is defined only when its module is
installed, so the lineage ends at the analysis marts until they are.
"""

import importlib.util
from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource, spark_environment
from ccw_orchestration.settings import BUILD_DB_POOL, DUCKDB, SPARK

SERVING_GROUP = "serving"
PUBLISHED_KEY = dg.AssetKey(["serving", "published_marts"])
REPORT_KEY = dg.AssetKey(["serving", "daily_report"])


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _fields(obj: object) -> dict[str, str]:
    """Metadata from a result object's public fields (whatever its exact shape)."""
    fields = getattr(obj, "__dataclass_fields__", None) or getattr(obj, "__dict__", {})
    out = {}
    for name in fields:
        if name.startswith("_"):
            continue
        value = getattr(obj, name, None)
        out[name] = value if isinstance(value, int | float | bool) else str(value)[:500]
    return out


def marts_from_spark(copy: Path) -> list[str]:
    """Every table of Spark's schema ``marts`` into a new DuckDB file ``copy`` (schema ``marts``), through Arrow;
    Spark's TIMESTAMP made zone-less UTC as DuckDB's. Run in the run's Spark worker (``ccw.spark_worker``)."""
    import duckdb

    from ccw.pymodels_on_spark import naive_utc
    from ccw.spark import spark_session
    from ccw.sqltext import ident

    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.unlink(missing_ok=True)
    spark = spark_session()
    # SHOW TABLES, not spark.catalog.listTables: the latter fails in Spark's interpreted mode
    # (CCW_SPARK_CODEGEN=off, profiles.yml) with EXPRESSION_DECODING_FAILED on its Table objects (pyspark 4.3)
    names = sorted(r["tableName"] for r in spark.sql("show tables in marts").collect() if not r["isTemporary"])
    with duckdb.connect(str(copy)) as con:
        con.execute("create schema marts")
        for name in names:
            table = naive_utc(spark.table(f"marts.`{name}`").toArrow())
            con.register("spark_mart", table)
            con.execute(f"create table marts.{ident(name)} as select * from spark_mart")
            con.unregister("spark_mart")
    return names


def build_serving_assets(
    partitions_def: dg.PartitionsDefinition, mart_keys: Iterable[dg.AssetKey], engine: str = DUCKDB,
) -> list[dg.AssetsDefinition]:
    assets: list[dg.AssetsDefinition] = []
    if _available("ccw.publish"):

        @dg.asset(
            key=PUBLISHED_KEY,
            deps=sorted(mart_keys, key=lambda k: k.to_user_string()),
            group_name=SERVING_GROUP,
            kinds={"duckdb", "parquet", *(["spark"] if engine == SPARK else [])},
            partitions_def=partitions_def,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool=BUILD_DB_POOL,
            description="Every mart copied from the build database (on Spark: from Spark's tables, through Arrow) "
                        "into a new serving file, swapped in atomically.",
        )
        def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                            spark_worker: SparkWorkerResource) -> dg.MaterializeResult:
            from ccw.publish import publish

            if engine == SPARK:  # the marts out of Spark (Arrow) into a DuckDB file, published from there
                from ccw_orchestration.assets.dbt_spark import spark_target_path

                data_dir = warehouse.data_dir_path()
                copy = data_dir / "spark" / "published_marts.duckdb"
                tables = spark_worker.call(marts_from_spark, copy, environment=spark_environment(data_dir))
                context.log.info(f"{len(tables)} marts copied out of Spark into {copy}")
                result = publish(copy, warehouse.warehouse_path(),
                                 semantic_manifest=spark_target_path(data_dir) / "semantic_manifest.json")
            else:
                result = publish(warehouse.build_warehouse_path(), warehouse.warehouse_path())
            context.log.info(f"published {warehouse.warehouse_path()}: {result}")
            return dg.MaterializeResult(metadata={"serving_file": str(warehouse.warehouse_path()), **_fields(result)})

        assets.append(published_marts)

        if _available("ccw.report"):

            @dg.asset(
                key=REPORT_KEY,
                deps=[PUBLISHED_KEY],
                group_name=SERVING_GROUP,
                kinds={"html"},
                partitions_def=partitions_def,
                backfill_policy=dg.BackfillPolicy.single_run(),
                description="The daily HTML report (static, offline), written from the serving file.",
            )
            def daily_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
                from ccw.report import write_report

                data_dir = warehouse.data_dir_path()
                docs = data_dir / "quality" / "data_docs" / "index.html"
                path = write_report(warehouse.warehouse_path(), data_dir / "report", docs if docs.exists() else None)
                context.log.info(f"report: {path}")
                return dg.MaterializeResult(metadata={"report": dg.MetadataValue.path(str(path))})

            assets.append(daily_report)
    return assets
