"""Issue 20 inside `make test`: the tiny preset built by the daily job on Spark and compared with DuckDB.

One Spark build for the whole suite, started in the background at session start (`scripts/spark_check.py
--pipeline` in its own folder): the Dagster daily job with ``CCW_ENGINE=spark`` (landing on Spark, the GX raw gates on
Spark, the dbt build in three parts with the Python models through ``ccw.pymodels_on_spark``, the GX mart gates on
Spark, the marts copied into the serving DuckDB file, the report), its run kept in a Dagster instance folder; then
the same files landed, gated and built on DuckDB; then every table compared (`spark_equivalence.py --require-all`).
The tests read that run: the engines agree, every asset was materialised, the GX gates ran on Spark.

`make test` installs Java and the `spark` extra first (Makefile); without them the tests skip and say why, and
`make spark-check` runs the dbt-level check alone (with the unit tests whose fixtures need Spark macros).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ccw.spark import SMALL_DATA_ENV
from conftest import ROOT, background_result, built_in_background, environ_copy

SCRIPT = ROOT / "scripts" / "spark_check.py"
STEP = re.compile(r"^\[spark-check\] (?P<name>.+?)\s+(?P<wall>[0-9.]+) s\s+CPU\s+(?P<cpu>[0-9.]+) s", re.M)
COMPARED = re.compile(r"^(?P<tables>\d+) tables compared in [0-9.]+ s: (?P<same>\d+) same, (?P<failed>\d+) failed",
                      re.M)
PYTHON_MODELS = {path.stem for path in (ROOT / "models").rglob("*.py")}


def missing_engine() -> str | None:
    """Why Spark cannot run here, or None."""
    if shutil.which("java") is None:
        return "no `java` on PATH (Debian's openjdk-17-jre-headless: `make test` installs it when apt can)"
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "the `spark` extra (pyspark, dbt-spark) is not installed: `make test` installs it"
    return None


@dataclass
class SparkBuild:
    skipped: str | None
    folder: Path | None = None
    returncode: int = 0
    output: str = ""

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    def table_models(self) -> list[str]:
        """The models that are tables on DuckDB (incremental ones included; views are not compared), from the
        DuckDB build's manifest."""
        assert self.folder is not None
        manifest = json.loads((self.folder / "target_duckdb" / "manifest.json").read_text(encoding="utf-8"))
        return sorted(node["name"] for node in manifest["nodes"].values()
                      if node["resource_type"] == "model" and node["config"]["materialized"] != "view")

    def events(self) -> list[dg.DagsterEvent]:
        """The Dagster events of the daily job's run, from the instance folder the run was kept in."""
        assert self.folder is not None
        instance = dg.DagsterInstance.local_temp(tempdir=str(self.folder / "dagster"))
        try:
            runs = instance.get_runs()
            assert len(runs) == 1, [r.run_id for r in runs]
            return [entry.dagster_event for entry in instance.all_logs(runs[0].run_id) if entry.dagster_event]
        finally:
            instance.dispose()


# the suite's longest chain (a Dagster job of one step after another): at the foreground's priority, ahead of the
# other background set-ups
@built_in_background("spark_build", nice=0)
def build_on_spark(base: Path) -> SparkBuild:
    reason = missing_engine()
    if reason is not None:
        return SparkBuild(skipped=reason)
    folder = base / "check"
    command = [sys.executable, str(SCRIPT), "--pipeline", "--dir", str(folder)]
    done = subprocess.run(command, cwd=ROOT, env={**environ_copy(), **SMALL_DATA_ENV},
                          capture_output=True, text=True, timeout=1800, check=False)
    return SparkBuild(skipped=None, folder=folder, returncode=done.returncode, output=done.stdout + done.stderr)


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:
    build = background_result("spark_build", tmp_path_factory)
    if build.skipped:
        print(f"SKIPPED the Spark build: {build.skipped}")
        pytest.skip(build.skipped)
    steps = {m["name"]: (float(m["wall"]), float(m["cpu"])) for m in STEP.finditer(build.output)}
    print("\n".join(f"{name:<28} {wall:7.1f} s wall {cpu:7.1f} s CPU" for name, (wall, cpu) in steps.items()))
    assert build.returncode == 0, build.output[-8000:]
    return build


def test_every_table_of_the_tiny_preset_is_the_same_on_spark_and_duckdb(spark_build: SparkBuild) -> None:
    compared = COMPARED.search(spark_build.output)
    assert compared is not None, spark_build.output[-3000:]
    # every raw table of the registry and every table model of the project, Python models included, on both
    # engines: none missing, none different
    from ccw.exports import ENTITIES

    expected = len({e.table for e in ENTITIES}) + len(spark_build.table_models())
    assert int(compared["failed"]) == 0
    assert int(compared["same"]) == int(compared["tables"]) == expected, compared.group(0)
    assert "the engines agree" in spark_build.output


def _spark_table(data_dir: Path, schema: str, table: str) -> str:
    """A Spark table's Parquet files (read with DuckDB: no JVM, no metastore)."""
    return f"read_parquet('{data_dir / 'spark' / 'warehouse' / f'{schema}.db' / table}/*.parquet')"


def test_the_daily_job_on_spark_materialises_every_asset_and_publishes_to_the_serving_file(
    spark_build: SparkBuild,
) -> None:
    from ccw_orchestration.definitions import DAILY_JOB, build_definitions
    from ccw_orchestration.settings import OrchestrationSettings

    job = build_definitions(OrchestrationSettings(engine="spark")).resolve_job_def(DAILY_JOB)
    expected = set(job.asset_layer.selected_asset_keys)
    materialized = [e for e in spark_build.events() if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION]
    built = {e.asset_key for e in materialized}
    assert built == expected, sorted(k.to_user_string() for k in expected ^ built)
    # the Python models were built by the host between the two dbt parts, one materialization each
    python = {e.asset_key.path[-1]: e.event_specific_data.materialization.metadata for e in materialized
              if e.asset_key.path[-1] in PYTHON_MODELS}
    assert set(python) == PYTHON_MODELS
    assert all(m["built_by"].value == "ccw.pymodels_on_spark" for m in python.values())
    # the marts are Spark's tables (dbt-spark wrote them) and the serving file holds a copy of each
    data_dir = spark_build.data_dir
    spark_marts = {p.name for p in (data_dir / "spark" / "warehouse" / "marts.db").iterdir()}
    assert {"fct_contacts", "kpi_service_daily", "analysis_agent_segments"} <= spark_marts
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as serving:
        published = {r[0] for r in serving.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert spark_marts <= published
        with duckdb.connect() as reader:
            contacts = _spark_table(data_dir, "marts", "fct_contacts")
            on_spark = reader.execute(f"select count(*) from {contacts}").fetchone()[0]
        assert serving.execute("select count(*) from marts.fct_contacts").fetchone()[0] == on_spark > 0
    assert (data_dir / "report" / "index.html").is_file()


def test_the_gx_raw_and_mart_gates_ran_on_spark(spark_build: SparkBuild) -> None:
    from ccw.quality.mart_rules import SPECS as MART_SPECS
    from ccw.quality.raw_rules import SPECS as RAW_SPECS

    evaluations = [e.event_specific_data for e in spark_build.events()
                   if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
    by_check = {(e.asset_key, e.check_name): e for e in evaluations}
    raw = {dg.AssetKey(["raw", s.table]) for s in RAW_SPECS}
    marts = {dg.AssetKey(["marts", s.table]) for s in MART_SPECS}
    assert {k for k, name in by_check if name == "gx_raw_gate"} == raw
    assert {k for k, name in by_check if name == "gx_mart_gate"} == marts
    for (key, _), evaluation in by_check.items():
        assert evaluation.passed or evaluation.severity == dg.AssetCheckSeverity.WARN, (
            key.to_user_string(), evaluation.metadata["findings"].value)
        assert evaluation.metadata["critical_failures"].value == 0
    counted = {k: by_check[(k, "gx_raw_gate")].metadata["expectations"].value for k in raw}
    assert all(n > 0 for n in counted.values()), counted
    # the gates' results on Spark: both stages, every gated table, the one rule Spark cannot run named as such
    with duckdb.connect() as reader:
        results = _spark_table(spark_build.data_dir, "quality", "gate_results")
        rows = reader.execute(f"select stage, asset, expectation, success, message from {results}").fetchall()
    assert {r[0] for r in rows} == {"raw", "mart"}
    assert {r[1] for r in rows} == {f"raw.{s.table}" for s in RAW_SPECS} | {f"marts.{s.table}" for s in MART_SPECS}
    skipped = [r for r in rows if r[2] == "column_types_match_registry"]
    assert len(skipped) == len(RAW_SPECS) and all(r[4].startswith("not run on Spark") for r in skipped)


def test_landing_on_spark_gives_duckdbs_raw_columns_in_order_and_the_same_outcome_per_file(
    spark_build: SparkBuild,
) -> None:
    """The raw tables' columns in DuckDB's order (the rows are compared above), and the manifest: every file of the
    tiny preset with the same outcome, rows and export kind (a first file of an entity lands as history)."""
    from ccw.exports import ENTITIES

    landed = spark_build.data_dir / "spark" / "landed"
    manifest = spark_build.data_dir / "spark" / "warehouse" / "raw.db" / "_landing_manifest"
    columns = "file_path, outcome, rows, export_kind"
    with duckdb.connect(str(spark_build.folder / "duckdb" / "warehouse.duckdb"), read_only=True) as duck, \
            duckdb.connect() as files:
        for table in sorted({e.table for e in ENTITIES}):
            parquet = [str(p) for p in (landed / table).rglob("*.parquet") if p.is_file()]
            if not parquet:
                continue  # no file of this entity in the preset (its empty table is compared above)
            read = "select * from read_parquet(?, hive_partitioning = false) limit 0"  # not the file=... folder
            on_spark = [d[0] for d in files.execute(read, [parquet]).description]
            on_duck = [d[0] for d in duck.execute(f'select * from raw."{table}" limit 0').description]
            assert on_spark == on_duck, table
        spark_files = [str(p) for p in manifest.rglob("*.parquet") if p.is_file()]
        on_spark = sorted(files.execute(f"select {columns} from read_parquet(?)", [spark_files]).fetchall())
        on_duck = sorted(duck.execute(f"select {columns} from raw._landing_manifest").fetchall())
    assert len(on_duck) > 200 and {r[1] for r in on_duck} == {"landed"}
    assert on_spark == on_duck
