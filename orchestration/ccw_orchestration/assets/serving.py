"""Publish the marts to the serving file BI tools read, then write the daily HTML report from it.

Both wrap functions of ``ccw.publish`` and ``ccw.report``; each asset is defined only when its module is
installed, so the lineage ends at the analysis marts until they are.
"""

import importlib.util
from collections.abc import Iterable

import dagster as dg

from ccw_orchestration.resources import WarehouseResource
from ccw_orchestration.settings import BUILD_DB_POOL

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


def build_serving_assets(
    partitions_def: dg.PartitionsDefinition, mart_keys: Iterable[dg.AssetKey]
) -> list[dg.AssetsDefinition]:
    assets: list[dg.AssetsDefinition] = []
    if _available("ccw.publish"):

        @dg.asset(
            key=PUBLISHED_KEY,
            deps=sorted(mart_keys, key=lambda k: k.to_user_string()),
            group_name=SERVING_GROUP,
            kinds={"duckdb", "parquet"},
            partitions_def=partitions_def,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool=BUILD_DB_POOL,
            description="Every mart copied from the build database into a new serving file, swapped in atomically.",
        )
        def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
            from ccw.publish import publish

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
