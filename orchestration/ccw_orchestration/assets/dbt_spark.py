"""The dbt asset on Spark (``CCW_ENGINE=spark``): the same assets, checks and manifest as on DuckDB, built in three
parts inside the one ``dbt_build`` op (docs/spark.md, "Dagster and the quality gates on Spark").

dbt-spark runs dbt Python models only on Databricks, so one run is:

1. ``dbt build --target spark --full-refresh`` of the selected seeds and SQL models that do not need a Python model,
   with the selected tests that touch none of those;
2. the selected Python models, by ``ccw.pymodels_on_spark`` (their own ``model(dbt, session)`` on the inputs read
   out of Spark); one materialization per model;
3. ``dbt build`` of the selected SQL models on them and the remaining selected tests (the Python models' own
   tests included).

All three run in the session of the run's Spark worker (``ccw.spark_worker``): one JVM, which the dbt parts reach
through ``ccw-dbt`` (the embedded Derby metastore admits one process).

Each part selects its nodes by name (indirect selection off), so a test runs exactly once, after everything it
reads. ``--full-refresh`` always: on Parquet dbt-spark has neither merge nor delete (the incremental staging and
day-window models build in full), and the unit test of an incremental run (tag ``incremental_run``) is left out.
Artifacts go to ``<data dir>/spark/dbt_target`` (the Python-model part reads the Spark manifest from there).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dbt.core import dbt_cli_invocation

from ccw.childproc import children_die_with_this_process
from ccw.spark_worker import SparkWorker

INCREMENTAL_RUN_TAG = "incremental_run"
REFABLE = ("model", "seed", "snapshot")


def spark_target_path(data_dir: Path) -> Path:
    return data_dir / "spark" / "dbt_target"


def _is_python(node: Mapping[str, Any]) -> bool:
    return node["resource_type"] == "model" and node.get("language") == "python"


def _descendants(manifest: Mapping[str, Any], roots: set[str]) -> set[str]:
    seen, stack = set(roots), list(roots)
    while stack:
        for child in manifest["child_map"].get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def plan_parts(manifest: Mapping[str, Any], selected_refables: set[str], selected_tests: set[str],
               unit_tests: bool) -> tuple[list[str], list[str], list[str]]:
    """(names for part 1, unique_ids of the Python models for part 2, names for part 3) of one run.

    A test goes to part 3 when it reads a Python model or anything built on one, else to part 1; a unit test
    goes with the model it tests (tag ``incremental_run`` never: it needs merge)."""
    nodes = manifest["nodes"]
    python = {uid for uid, node in nodes.items() if _is_python(node)}
    after_python = _descendants(manifest, python)
    first = [uid for uid in selected_refables if uid not in after_python]
    pythons = [uid for uid in selected_refables if uid in python]
    last = [uid for uid in selected_refables if uid in after_python and uid not in python]
    for uid in selected_tests:
        (last if set(nodes[uid]["depends_on"]["nodes"]) & after_python else first).append(uid)
    if unit_tests:
        for uid, test in manifest.get("unit_tests", {}).items():
            if INCREMENTAL_RUN_TAG in (test.get("tags") or test.get("config", {}).get("tags") or []):
                continue
            tested = set(test["depends_on"]["nodes"])
            if tested & set(first):
                first.append(uid)
            elif tested & set(last):
                last.append(uid)

    def names(uids: list[str]) -> list[str]:
        every = {**nodes, **manifest.get("unit_tests", {})}
        return sorted({every[uid]["name"] for uid in uids})

    return names(first), pythons, names(last)


def selected_unique_ids(context: dg.AssetExecutionContext, manifest: Mapping[str, Any], translator: Any,
                        check_unique_id_key: str) -> tuple[set[str], set[str]]:
    """(refable nodes, tests) this run selected, as unique_ids of ``manifest``."""
    keys = context.selected_asset_keys
    refables = {uid for uid, node in manifest["nodes"].items()
                if node["resource_type"] in REFABLE and translator.get_asset_key(node) in keys}
    checks = context.selected_asset_check_keys
    tests = {spec.metadata.get(check_unique_id_key)
             for spec in context.assets_def.node_check_specs_by_output_name.values() if spec.key in checks}
    return refables, {uid for uid in tests if uid in manifest["nodes"]}


def _dbt_part(context: dg.AssetExecutionContext, dbt: DbtCliResource, manifest: Mapping[str, Any], translator: Any,
              names: list[str], target: Path) -> Iterator[Any]:
    args = ["build", "--target", "spark", "--full-refresh", "--select", " ".join(names)]
    context.log.info(f"dbt build on Spark: {len(names)} node(s)")
    with children_die_with_this_process(dbt_cli_invocation):  # a killed run takes its dbt with it
        invocation = dbt.cli(args, manifest=manifest, dagster_dbt_translator=translator, target_path=target)
    invocation.context = context  # events as this asset op's outputs and check results (no selection added)
    yield from invocation.stream()


def build_python_models(manifest_path: str, unique_ids: list[str]) -> list[Any]:
    """Part 2, run in the run's Spark worker (``ccw.spark_worker``)."""
    from ccw.pymodels_on_spark import build_models

    return build_models(json.loads(Path(manifest_path).read_text(encoding="utf-8")), unique_ids)


def spark_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, worker: SparkWorker,
                manifest: Mapping[str, Any], translator: Any, check_unique_id_key: str, data_dir: Path,
                unit_tests: bool) -> Iterator[Any]:
    """The three parts, as Dagster events (outputs, materializations of the Python models, check results), all in
    the session of the run's Spark ``worker`` (started): the dbt parts' ``ccw-dbt`` hands its command to it."""
    target = spark_target_path(data_dir)
    refables, tests = selected_unique_ids(context, manifest, translator, check_unique_id_key)
    first, pythons, last = plan_parts(manifest, refables, tests, unit_tests)
    if first:
        yield from _dbt_part(context, dbt, manifest, translator, first, target)
    if pythons:
        spark_manifest = target / "manifest.json"
        if not spark_manifest.exists():  # part 1 had nothing to do: the DuckDB target's nodes name the same tables
            spark_manifest.parent.mkdir(parents=True, exist_ok=True)
            spark_manifest.write_text(json.dumps(manifest), encoding="utf-8")
        context.log.info(f"{len(pythons)} Python model(s) on Spark through ccw.pymodels_on_spark")
        for built in worker.call(build_python_models, os.fspath(spark_manifest), pythons):
            context.log.info(f"  {built.relation}: {built.rows:,} rows, {built.seconds:.1f} s")
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(
                translator.get_asset_key(manifest["nodes"][built.unique_id])),
                metadata={"rows": built.rows, "built_by": "ccw.pymodels_on_spark", "seconds": built.seconds})
    if last:
        yield from _dbt_part(context, dbt, manifest, translator, last, target)
