"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and analysis models.

One ``@dbt_assets`` op runs ``dbt build`` (models and their tests in dependency order); dbt tests, source tests
included, are asset checks, blocking when their severity is error. dbt sources map to the landing assets
``["raw", "<system>__<entity>"]``. The partition window goes to dbt as the environment variables CCW_WINDOW_START /
CCW_WINDOW_END (``ccw_orchestration.partitions``: no daily re-parse). The dbt CLI's child process dies with the
process that runs the step (``ccw.childproc``). With ``CCW_ENGINE=spark`` the same op builds on Spark in three parts
(``ccw_orchestration.assets.dbt_spark``).
"""

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.core import dbt_cli_invocation

from ccw.build import build_folder_env, dbt_target_path
from ccw.childproc import children_die_with_this_process
from ccw.config import PROJECT_ROOT
from ccw_orchestration.assets import unit_test_state
from ccw_orchestration.assets.dbt_manifest import load_manifest
from ccw_orchestration.assets.dbt_spark import spark_build
from ccw_orchestration.partitions import run_window, window_env
from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource, spark_environment
from ccw_orchestration.retries import ensure_unlocked, retry_transient
from ccw_orchestration.settings import BUILD_DB_POOL, DUCKDB, SPARK, OrchestrationSettings

DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)
DBT_PROJECT.prepare_if_dev()

UNIQUE_ID_KEY = "dagster_dbt/unique_id"  # the test's unique_id, in the metadata of every dbt check spec


class CcwDbtTranslator(DagsterDbtTranslator):
    """Asset keys ``[schema, name]`` (sources: ``["raw", <table>]``, the landing assets), groups by layer."""

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props.get("identifier") or dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        kind = dbt_resource_props["resource_type"]
        if kind == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        if "analysis" in fqn[1:-1]:
            return "analysis"
        return fqn[1] if len(fqn) > 2 else "dbt"


TRANSLATOR = CcwDbtTranslator()


def dbt_resource() -> DbtCliResource:
    """dbt from this venv (the PATH of a test or a daemon may not include it), as ``ccw-dbt``: started in the build
    database's folder when the step asks for it (``ccw.build.build_folder_env``)."""
    local = Path(sys.executable).with_name("ccw-dbt")
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(local) if local.exists() else "dbt")


@contextmanager
def dbt_environment(build: Path, indirect_selection: str | None = None,
                    extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """Point the dbt child process at ``build`` (profiles.yml reads CCW_BUILD_WAREHOUSE), with ``extra`` variables,
    without leaving the settings behind in this process: the CLI copies the environment when it starts the child."""
    from ccw.config import settings

    wanted = {
        "CCW_BUILD_WAREHOUSE": str(build),
        "CCW_MEMORY_LIMIT": os.environ.get("CCW_MEMORY_LIMIT") or settings().memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra or {}),
    }
    if indirect_selection:
        wanted["DBT_INDIRECT_SELECTION"] = indirect_selection
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def subset_tests(context: dg.AssetExecutionContext, manifest: Mapping[str, Any]) -> list[str] | None:
    """For a run of part of the project, the dbt tests of exactly the selected checks (None for a whole run).

    dbt's default (eager) indirect selection would also run every test touching a selected model, including
    tests attached to another asset whose other relations are not built in this run; dagster-dbt's alternative
    (no indirect selection) runs no test at all when every check of the selected assets is selected. Both are
    wrong for a blocking gate, so a subset run selects its tests by name with indirect selection off.
    """
    assets_def = context.assets_def
    all_checks = {spec.key: spec for spec in assets_def.node_check_specs_by_output_name.values()}
    if context.selected_asset_keys == set(assets_def.keys) and context.selected_asset_check_keys == set(all_checks):
        return None
    unique_ids = [all_checks[key].metadata.get(UNIQUE_ID_KEY) for key in context.selected_asset_check_keys
                  if key in all_checks]
    return sorted(manifest["nodes"][uid]["name"] for uid in unique_ids if uid in manifest["nodes"])


#: "1": the dbt build leaves out the unit tests (they test the SQL on fixed rows, not the data): the test suite's
#: extra runs of small samples set it; the shared run, `make run` and production never do. Without it they run
#: whenever the project changed since they last passed for this build file (``unit_test_state``)
SKIP_UNIT_TESTS_ENV = "CCW_DBT_SKIP_UNIT_TESTS"


def build_dbt_assets(settings: OrchestrationSettings, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    manifest = load_manifest(DBT_PROJECT.manifest_path)

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name="dbt_build",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=BUILD_DB_POOL,
    )
    def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                  spark_worker: SparkWorkerResource):
        build = warehouse.build_warehouse_path()
        build.parent.mkdir(parents=True, exist_ok=True)
        if settings.engine == DUCKDB:
            with retry_transient(context, settings):
                ensure_unlocked(build)
        window = run_window(context)
        window_variables = dict(window_env(*window)) if window is not None else {}
        if window_variables:
            context.log.info("dbt build for the window " + ", ".join(f"{k}={v}" for k, v in window_variables.items()))
        if settings.engine == SPARK:
            data_dir = warehouse.data_dir_path()
            with dbt_environment(build, indirect_selection="empty",
                                 extra={**window_variables, **spark_environment(data_dir)}):
                yield from _checked(context, spark_build(
                    context, dbt, spark_worker.worker(spark_environment(data_dir)), manifest, TRANSLATOR,
                    UNIQUE_ID_KEY, data_dir,
                    unit_tests=os.environ.get(SKIP_UNIT_TESTS_ENV) != "1"))
            return
        args = ["build"]
        tests = subset_tests(context, manifest)
        if tests:
            args += ["--select", " ".join(tests)]
        skip_unit_tests = os.environ.get(SKIP_UNIT_TESTS_ENV) == "1"  # extra test runs: once per test session
        signature = unit_test_state.project_signature(manifest)
        unit_tests_passed_at = unit_test_state.passed_at(build, signature)
        if unit_tests_passed_at:
            context.log.info(f"dbt unit tests left out: they passed on this same project at {unit_tests_passed_at} "
                             f"({unit_test_state.state_path(build)}); they run again when a model, macro, seed or "
                             "unit test changes")
        if skip_unit_tests or unit_tests_passed_at:
            args += ["--exclude-resource-type", "unit_test"]
        # artifacts next to the build database (one folder, overwritten per run: runs are serialised by the pool)
        target = dbt_target_path(build)
        with dbt_environment(build, indirect_selection="empty" if tests is not None else None,
                             extra={**window_variables, **build_folder_env(build)}), \
                children_die_with_this_process(dbt_cli_invocation):  # a killed run takes its dbt with it
            invocation = dbt.cli(args, context=context, target_path=target)
        yield from _checked(context, invocation.stream())
        if tests is None and not (skip_unit_tests or unit_tests_passed_at) and invocation.is_successful():
            unit_test_state.record_passed(build, signature, len(manifest.get("unit_tests", {})))

    return dbt_build


def _checked(context: dg.AssetExecutionContext, events: Iterable[Any]) -> Iterator[Any]:
    """``events``, then a failure when something selected was never built or tested: without it, Dagster skips
    everything downstream of it and still marks the run successful."""
    materialized: set[dg.AssetKey] = set()
    evaluated: set[dg.AssetCheckKey] = set()
    for event in events:
        if isinstance(event, dg.Output):
            materialized.add(context.asset_key_for_output(event.output_name))
        elif isinstance(event, dg.AssetMaterialization):
            materialized.add(event.asset_key)
        elif isinstance(event, dg.AssetCheckResult):
            evaluated.add(dg.AssetCheckKey(event.asset_key, event.check_name))
        yield event
    missing = sorted(k.to_user_string() for k in context.selected_asset_keys - materialized)
    missing += sorted(f"check {k.to_user_string()}" for k in context.selected_asset_check_keys - evaluated)
    if missing:
        raise dg.Failure(
            description=f"dbt build left {len(missing)} selected asset(s)/check(s) without a result: "
            + ", ".join(missing[:10]),
            allow_retries=False,
        )
