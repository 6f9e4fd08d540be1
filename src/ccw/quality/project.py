"""The GX project in ``expectations/`` (a file context): written from the rule specifications, read at run time.

``python -m ccw.quality sync`` rewrites the project from code: ``great_expectations.yml`` (the data source
``warehouse`` with one table asset per gated table), ``expectations/`` (one suite per table),
``validation_definitions/`` and ``checkpoints/`` (``raw_gates``, ``mart_gates``). These files are committed;
``tests/python/test_quality_project.py`` fails when they differ from the code.

The raw tables' assets are the views ``raw_batch."<table>"``: what one raw gate run judges (the files landed since
the gates last passed, or the whole table), created by the gates for the run (``ccw.quality.batches``). A raw gate run
validates only the suites of the tables with something to judge (``run_validations``: the checkpoint's own
validation definitions, in its order).

Nothing under ``expectations/`` changes at run time. The warehouse file and the output folder are
substituted from environment variables GX reads (``${CCW_QUALITY_WAREHOUSE}``, ``${CCW_QUALITY_DIR}``):
``gx_context`` sets them for the duration of one gate run, so validation results and Data Docs go to
``<data dir>/quality/``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import yaml
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from ccw.config import PROJECT_ROOT
from ccw.quality import batches, engine, mart_rules, raw_rules, suites

PROJECT_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "warehouse"
RAW_CHECKPOINT, MART_CHECKPOINT = "raw_gates", "mart_gates"
ENV_WAREHOUSE, ENV_QUALITY_DIR = "CCW_QUALITY_WAREHOUSE", "CCW_QUALITY_DIR"
DOCS_SITE = "local_site"
#: What GX may write for itself under the project folder and ``sync`` leaves alone (ignored by git).
UNCOMMITTED = "uncommitted"

_CONFIG = f"""\
# The GX project of the Contact Center Warehouse, written by `python -m ccw.quality sync` from
# src/ccw/quality/{{raw_rules,mart_rules}}.py: edit those, then sync (see README, "Data quality").
# ${ENV_WAREHOUSE} and ${ENV_QUALITY_DIR} are set by ccw.quality for each gate run.
config_version: 4.0
analytics_enabled: false
config_variables_file_path: {UNCOMMITTED}/config_variables.yml
plugins_directory: null
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: ${ENV_QUALITY_DIR}/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  {DOCS_SITE}:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: ${ENV_QUALITY_DIR}/data_docs/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
progress_bars:
  globally: false
  metric_calculations: false
"""


def connection_string() -> str:
    return f"{engine.SCHEME}:///${{{ENV_WAREHOUSE}}}"


@contextlib.contextmanager
def gx_context(warehouse: Path, quality_dir: Path, project_dir: Path = PROJECT_DIR) -> Iterator[FileDataContext]:
    """The file context of ``project_dir`` reading ``warehouse`` and writing under ``quality_dir``."""
    quality_dir.mkdir(parents=True, exist_ok=True)
    values = {ENV_WAREHOUSE: str(Path(warehouse).resolve()), ENV_QUALITY_DIR: str(quality_dir.resolve()),
              "GX_ANALYTICS_ENABLED": "false"}
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        with warnings.catch_warnings():
            # GX 1.24 deprecates schema_name on table assets, but its generic SQL data source has no schema
            warnings.filterwarnings("ignore", message="`schema_name` is deprecated", category=DeprecationWarning)
            yield gx.get_context(mode="file", context_root_dir=str(project_dir))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def data_docs_index(quality_dir: Path) -> Path:
    return quality_dir / "data_docs" / "index.html"


@dataclasses.dataclass(frozen=True)
class Validations:
    """The validation results of one run, keyed as a GX ``CheckpointResult`` keys them (its ``run_results``)."""

    run_results: dict[ValidationResultIdentifier, Any]


def run_validations(context: FileDataContext, checkpoint: str, run_id: RunIdentifier, suite_names: set[str],
                    notes: dict[str, dict[str, str]] | None = None) -> Validations:
    """Run the validation definitions of ``checkpoint`` whose suite is in ``suite_names``, in the checkpoint's order,
    as ``Checkpoint.run`` runs them (same result format, checkpoint id and run id; the checkpoint has no actions).
    GX refuses to run a checkpoint that differs from its stored form, and the stored one lists every suite.

    ``notes``: suite name -> entries added to the stored result's batch markers, which the Data Docs show under
    "Show more info" (what the batch holds)."""
    stored = context.checkpoints.get(checkpoint)
    run_results: dict[ValidationResultIdentifier, Any] = {}
    for definition in stored.validation_definitions:
        name = definition.suite.name
        if name not in suite_names:
            continue
        result = definition.run(checkpoint_id=stored.id, result_format=stored.result_format, run_id=run_id)
        key = ValidationResultIdentifier(expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
                                         run_id=run_id, batch_identifier=result.batch_id)
        if notes and name in notes:
            result.meta["batch_markers"] = {**(result.meta.get("batch_markers") or {}), **notes[name]}
            context.validation_results_store.set(key=key, value=result)
        run_results[key] = result
    return Validations(run_results)


def build_data_docs(context: FileDataContext, checkpoint_result: object) -> None:
    """Render this run's validation results, their suites and the index into the Data Docs site."""
    results = list(getattr(checkpoint_result, "run_results", {}).keys())
    suites = list({r.expectation_suite_identifier.name: r.expectation_suite_identifier for r in results}.values())
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[*results, *suites])


# ------------------------------------------------------------------------------------------------ sync
def _stub_warehouse(path: Path) -> None:
    """Every gated table, empty, so GX can check the assets while the project is written."""
    from ccw.land import ensure_raw_tables

    con = duckdb.connect(str(path))
    try:
        ensure_raw_tables(con)
        con.execute(f"create schema if not exists {batches.BATCH_SCHEMA}")
        for spec in raw_rules.SPECS:
            con.execute(f'create view {batches.batch_relation(spec.table)} as select * from raw."{spec.table}"')
        con.execute("create schema if not exists marts")
        for spec in mart_rules.SPECS:
            con.execute(f'create table if not exists marts."{spec.table}" (stub integer)')
    finally:
        con.close()


def _validation_definition(context: FileDataContext, schema: str, table: str, suite: gx.ExpectationSuite):
    asset = context.data_sources.get(DATASOURCE).get_asset(suites.suite_name(schema, table))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=asset.get_batch_definition("whole_table"), suite=suite)
    )


def _write(context: FileDataContext) -> None:
    source = context.data_sources.add_sql(name=DATASOURCE, connection_string=connection_string())
    gated = [(suites.RAW_PREFIX, s.table) for s in raw_rules.SPECS] + [
        (suites.MART_PREFIX, s.table) for s in mart_rules.SPECS
    ]
    for schema, table in gated:
        relation_schema = batches.BATCH_SCHEMA if schema == suites.RAW_PREFIX else schema
        asset = source.add_table_asset(name=suites.suite_name(schema, table), table_name=table,
                                       schema_name=relation_schema)
        asset.add_batch_definition_whole_table("whole_table")
    checkpoints = {RAW_CHECKPOINT: [], MART_CHECKPOINT: []}
    for schema, suite_list, checkpoint in (
        (suites.RAW_PREFIX, suites.raw_suites(), RAW_CHECKPOINT),
        (suites.MART_PREFIX, suites.mart_suites(), MART_CHECKPOINT),
    ):
        for suite in suite_list:
            suite = context.suites.add(suite)
            table = suite.name.split(".", 1)[1]
            checkpoints[checkpoint].append(_validation_definition(context, schema, table, suite))
    for name, definitions in checkpoints.items():
        # Data Docs are built once per run by the gates (an UpdateDataDocsAction rebuilds the site once per
        # validation definition: 13 times for the raw checkpoint).
        context.checkpoints.add(gx.Checkpoint(
            name=name, validation_definitions=definitions, result_format={"result_format": "SUMMARY"},
        ))


_ID_NAMESPACE = uuid.UUID("8d3f1c52-6a0e-4c1e-9a57-2f1f4f0f5c11")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _stable(key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, key))


def _stable_ids(project_dir: Path) -> None:
    """Replace the random ids GX gave every object by ids derived from names, in every file, so that
    writing the same specifications twice gives the same bytes (reviewable diffs, a byte-exact sync test)."""
    mapping: dict[str, str] = {}
    for path in (project_dir / "expectations").rglob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        mapping[suite["id"]] = _stable(f"suite:{suite['name']}")
        for index, expectation in enumerate(suite["expectations"]):
            mapping[expectation["id"]] = _stable(f"expectation:{suite['name']}:{index}")
    for folder, kind in (("validation_definitions", "validation_definition"), ("checkpoints", "checkpoint")):
        for path in (project_dir / folder).glob("*.json"):
            item = json.loads(path.read_text(encoding="utf-8"))
            mapping[item["id"]] = _stable(f"{kind}:{item['name']}")
    config_path = project_dir / "great_expectations.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    mapping[config["data_context_id"]] = _stable("data_context")
    for source_name, source in config["fluent_datasources"].items():
        mapping[source["id"]] = _stable(f"datasource:{source_name}")
        for asset_name, asset in source["assets"].items():
            mapping[asset["id"]] = _stable(f"asset:{asset_name}")
            for definition_name, definition in asset["batch_definitions"].items():
                mapping[definition["id"]] = _stable(f"batch_definition:{asset_name}:{definition_name}")
    files = [p for p in project_dir.rglob("*") if p.is_file() and UNCOMMITTED not in p.relative_to(project_dir).parts]
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == ".ge_store_backend_id":
            text = _UUID.sub(_stable(f"store:{path.parent.relative_to(project_dir).as_posix()}"), text)
        else:
            text = _UUID.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
        path.write_text(text, encoding="utf-8")


def sync(project_dir: Path = PROJECT_DIR) -> Path:
    """Rewrite the GX project under ``project_dir`` from the rule specifications; returns ``project_dir``."""
    project_dir.mkdir(parents=True, exist_ok=True)
    for child in project_dir.iterdir():
        if child.name != UNCOMMITTED and child.name != ".gitignore":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    (project_dir / "great_expectations.yml").write_text(_CONFIG, encoding="utf-8")
    for folder in ("expectations", "checkpoints", "validation_definitions"):
        (project_dir / folder).mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ccw-gx-sync-") as tmp:
        stub = Path(tmp) / "stub.duckdb"
        _stub_warehouse(stub)
        with gx_context(stub, Path(tmp) / "quality", project_dir) as context:
            _write(context)
        engine.close_connections()
    _stable_ids(project_dir)
    return project_dir
