"""All Dagster definitions, assembled in one place: :func:`build_definitions` (explicit settings: tests and
``ccw run``) and ``defs``, what ``dagster dev`` loads (settings from the environment, built when first loaded)."""

from collections.abc import Mapping, Sequence

import dagster as dg

from ccw_orchestration.assets.dbt import build_dbt_assets, dbt_resource
from ccw_orchestration.assets.landing import build_landing_assets
from ccw_orchestration.assets.serving import build_serving_assets
from ccw_orchestration.checks.quality import build_quality_checks
from ccw_orchestration.partitions import daily_partitions
from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource
from ccw_orchestration.schedules import build_daily_schedule
from ccw_orchestration.sensors.alert_sensor import build_alert_sensor
from ccw_orchestration.sensors.raw_files import build_raw_files_sensor
from ccw_orchestration.settings import OrchestrationSettings

DAILY_JOB, LAND_JOB = "daily_build", "land_raw_exports_job"


def build_assets(settings: OrchestrationSettings) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    partitions = daily_partitions(settings)
    landing = build_landing_assets(settings, partitions)
    dbt = build_dbt_assets(settings, partitions)
    mart_keys = {k for k in dbt.keys if k.path[0] == "marts"}
    serving = build_serving_assets(partitions, mart_keys, settings.engine)
    return [landing, dbt, *serving], build_quality_checks(set(dbt.keys), settings.engine)


def build_definitions(settings: OrchestrationSettings | None = None,
                      resources: Mapping[str, object] | None = None,
                      extra_assets: Sequence[dg.AssetsDefinition] = ()) -> dg.Definitions:
    """The code location. ``resources`` override the defaults (paths from the environment); ``extra_assets``
    join the graph (e.g. a site's own assets downstream of the marts) and the daily job."""
    settings = settings or OrchestrationSettings.from_env()
    partitions = daily_partitions(settings)
    assets, checks = build_assets(settings)
    assets = [*assets, *extra_assets]
    landing = assets[0]
    daily_job = dg.define_asset_job(
        DAILY_JOB, selection=dg.AssetSelection.all(),
        description="Land, gate, build (dbt), gate, publish and report: the whole warehouse for a day or a range.",
    )
    land_job = dg.define_asset_job(
        LAND_JOB, selection=dg.AssetSelection.assets(landing),
        description="Land the export files (and run the raw gates) for a day: what the raw-file sensor starts.",
    )
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[daily_job, land_job],
        schedules=[build_daily_schedule(settings, daily_job)],
        sensors=[build_raw_files_sensor(settings, land_job, partitions), build_alert_sensor(settings)],
        resources={"warehouse": WarehouseResource(), "dbt": dbt_resource(), "spark_worker": SparkWorkerResource(),
                   **(resources or {})},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
