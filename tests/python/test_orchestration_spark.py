"""The Dagster code location on Spark (``CCW_ENGINE=spark``, issue 20 item 4), on the tiny preset.

One run of the daily job with the engine set to Spark: landing into the Spark catalogue, the GX raw gates on Spark,
the dbt build on Spark in three parts (SQL, the Python models through ``ccw.pymodels_on_spark``, the SQL on them),
the GX mart gates on Spark, the marts copied out of Spark into the serving DuckDB file, the report from it. The dbt
data and unit tests are left out of this run (their asset checks are not selected: the Spark build's tables are
compared with DuckDB's by ``make spark-check``); the GX checks are what is asserted. Then a critical raw problem
planted in one export file (the key blanked in a tenth of its rows) stops the raw gate on Spark as it stops it on
DuckDB: the same file distrusted for the same rule, the same rows set aside.

Those three are skipped, with the reason printed, when pyspark or Java is missing (``make spark-check`` installs
both). Without Spark: the engine setting, how the dbt asset splits a run into its three parts, and what the
translation of the gates' SQL gives.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import resource
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ccw.generate import GeneratorConfig, generate

_MISSING = ("pyspark is not installed (pip install -e '.[spark]')" if importlib.util.find_spec("pyspark") is None
            else "java is not on PATH (apt-get install openjdk-17-jre-headless)" if shutil.which("java") is None
            else None)
if _MISSING:
    print(f"\ntest_orchestration_spark skipped: {_MISSING}")
needs_spark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

PYTHON_MODELS = ("int_analysis__agent_segments", "int_analysis__churn_backtest", "int_analysis__churn_scores",
                 "int_analysis__csat_drivers", "int_analysis__initiative_effects", "int_analysis__volume_forecast")
GX_CHECKS = ("gx_raw_gate", "gx_mart_gate")


@dataclass
class SparkRun:
    data_dir: Path
    defs: dg.Definitions
    result: dg.ExecuteInProcessResult
    expected_assets: set[dg.AssetKey]


def _environment(data_dir: Path) -> dict[str, str]:
    return {"CCW_DATA_DIR": str(data_dir), "CCW_RAW_ROOT": str(data_dir / "raw"),
            "CCW_BUILD_WAREHOUSE": str(data_dir / "build" / "warehouse.duckdb"),
            "CCW_WAREHOUSE": str(data_dir / "warehouse.duckdb"), "CCW_ENGINE": "spark",
            "CCW_DBT_SKIP_UNIT_TESTS": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


@pytest.fixture(scope="module")
def tiny_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny preset's exports (generated once for the module; each test copies what it uses)."""
    raw = tmp_path_factory.mktemp("spark_tiny_raw") / "raw"
    generate(GeneratorConfig.preset("tiny"), raw, progress=False)
    return raw


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory: pytest.TempPathFactory, tiny_raw: Path) -> Iterator[SparkRun]:
    from ccw_orchestration.definitions import DAILY_JOB, build_definitions
    from ccw_orchestration.resources import WarehouseResource
    from ccw_orchestration.run import execute_daily, export_days
    from ccw_orchestration.settings import OrchestrationSettings

    data_dir = tmp_path_factory.mktemp("orchestration_spark") / "data"
    shutil.copytree(tiny_raw, data_dir / "raw")
    wanted = _environment(data_dir)
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        settings = OrchestrationSettings.from_env().with_settle(0)
        assert settings.engine == "spark"
        resources = {"warehouse": WarehouseResource(
            data_dir=wanted["CCW_DATA_DIR"], raw_root=wanted["CCW_RAW_ROOT"],
            build_warehouse=wanted["CCW_BUILD_WAREHOUSE"], warehouse=wanted["CCW_WAREHOUSE"])}
        defs = build_definitions(settings, resources)
        job = defs.resolve_job_def(DAILY_JOB)
        gx_checks = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.name in GX_CHECKS}
        _, last = export_days(data_dir / "raw")
        started, cpu = time.perf_counter(), _cpu_seconds()
        assets = sorted(job.asset_layer.selected_asset_keys, key=lambda k: k.to_user_string())
        result = execute_daily(last, definitions=defs, asset_selection=assets, check_selection=gx_checks,
                               dagster_instance=dg.DagsterInstance.ephemeral())
        print(f"\nthe daily job on Spark (tiny preset): {time.perf_counter() - started:.0f} s wall, "
              f"{_cpu_seconds() - cpu:.0f} s CPU of this process and the children it waited for")
        yield SparkRun(data_dir, defs, result, set(job.asset_layer.selected_asset_keys))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _spark_table(data_dir: Path, schema: str, table: str) -> str:
    """A Spark table's Parquet files (read with DuckDB: no JVM, no metastore)."""
    return f"read_parquet('{data_dir / 'spark' / 'warehouse' / f'{schema}.db' / table}/*.parquet')"


@needs_spark
def test_the_daily_job_runs_on_spark_and_publishes_to_the_serving_file(spark_run: SparkRun) -> None:
    result = spark_run.result
    failures = [f"{e.step_key}: {e.step_failure_data.error.message[:2000]}" for e in result.all_events
                if e.is_step_failure and e.step_failure_data]
    assert result.success, "\n".join(failures)
    built = {e.asset_key for e in result.get_asset_materialization_events()}
    assert built == spark_run.expected_assets, sorted(k.to_user_string() for k in spark_run.expected_assets - built)
    # the Python models were built by the host between the two dbt parts, one materialization each
    python = {e.asset_key.path[-1]: e.materialization.metadata for e in result.get_asset_materialization_events()
              if e.asset_key.path[-1] in PYTHON_MODELS}
    assert set(python) == set(PYTHON_MODELS)
    assert all(m["built_by"].value == "ccw.pymodels_on_spark" for m in python.values())
    # the marts are Spark's tables (dbt-spark wrote them) and the serving file holds a copy of each
    spark_marts = {p.name for p in (spark_run.data_dir / "spark" / "warehouse" / "marts.db").iterdir()}
    assert {"fct_contacts", "kpi_service_daily", "analysis_agent_segments"} <= spark_marts
    with duckdb.connect(str(spark_run.data_dir / "warehouse.duckdb"), read_only=True) as serving:
        published = {r[0] for r in serving.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert spark_marts <= published
        with duckdb.connect() as reader:
            contacts = _spark_table(spark_run.data_dir, "marts", "fct_contacts")
            on_spark = reader.execute(f"select count(*) from {contacts}").fetchone()[0]
        assert serving.execute("select count(*) from marts.fct_contacts").fetchone()[0] == on_spark > 0
    assert (spark_run.data_dir / "report" / "index.html").is_file()


@needs_spark
def test_the_gx_raw_and_mart_gates_ran_on_spark(spark_run: SparkRun) -> None:
    from ccw.quality.mart_rules import SPECS as MART_SPECS
    from ccw.quality.raw_rules import SPECS as RAW_SPECS

    evaluations = spark_run.result.get_asset_check_evaluations()
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
        results = _spark_table(spark_run.data_dir, "quality", "gate_results")
        rows = reader.execute(f"select stage, asset, expectation, success, message from {results}").fetchall()
    assert {r[0] for r in rows} == {"raw", "mart"}
    assert {r[1] for r in rows} == {f"raw.{s.table}" for s in RAW_SPECS} | {f"marts.{s.table}" for s in MART_SPECS}
    skipped = [r for r in rows if r[2] == "column_types_match_registry"]
    assert len(skipped) == len(RAW_SPECS) and all(r[4].startswith("not run on Spark") for r in skipped)


def _encoding_of(path: Path) -> str:
    """UTF-8, else GB18030 (the sample writes some survey exports in GB18030)."""
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _plant_blank_keys(raw_root: Path) -> tuple[str, int, int]:
    """Blank ``response_id`` (the key: a critical row rule) in every tenth row of the largest survey file:
    (its path under the raw root, rows blanked, rows in the file)."""
    files = sorted((raw_root / "survey" / "responses").glob("*.csv"), key=lambda p: (p.stat().st_size, p.name))
    target = files[-1]
    encoding = _encoding_of(target)
    with target.open(newline="", encoding=encoding) as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    key = header.index("response_id")
    for index in range(0, len(body), 10):
        body[index][key] = "  "
    with target.open("w", newline="", encoding=encoding) as handle:  # in its own encoding, as the sample wrote it
        csv.writer(handle).writerows([header, *body])
    return target.relative_to(raw_root).as_posix(), len(range(0, len(body), 10)), len(body)


@needs_spark
def test_a_critical_raw_problem_stops_the_raw_gate_on_spark_as_on_duckdb(tiny_raw: Path, tmp_path: Path) -> None:
    from ccw.land import land_all
    from ccw.quality import run_raw_gates
    from ccw.spark import in_child
    from ccw_orchestration.assets.landing import land_on_spark

    reports = {}
    for engine in ("duckdb", "spark"):
        data_dir = tmp_path / engine
        shutil.copytree(tiny_raw / "survey", data_dir / "raw" / "survey")
        planted, blanked, file_rows = _plant_blank_keys(data_dir / "raw")
        build = data_dir / "build" / "warehouse.duckdb"
        if engine == "duckdb":
            land_all(data_dir / "raw", build, data_dir / "quarantine")
            reports[engine] = run_raw_gates(build, data_dir)
        else:
            environment = {"CCW_DATA_DIR": str(data_dir)}
            in_child(land_on_spark, data_dir / "raw", data_dir / "quarantine", environment=environment)
            reports[engine] = in_child(run_raw_gates, build, data_dir, engine="spark", environment=environment)
    for engine, report in reports.items():
        assert not report.ok, engine
        assert [(f.source_file, f.raw_table, f.failing_rows, f.file_rows, dict(f.rules))
                for f in report.untrusted_files] == [
            (planted, "survey__responses", blanked, file_rows, {"response_id_present": blanked})], engine
        assert report.quarantined_rows == blanked, engine
    assert [r.expectation for r in reports["spark"].results if r.severity == "critical" and not r.success] == [
        r.expectation for r in reports["duckdb"].results if r.severity == "critical" and not r.success]


# ------------------------------------------------------------------------------------------------ without Spark
def test_the_engine_is_a_validated_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from ccw_orchestration.settings import OrchestrationSettings

    monkeypatch.setenv("CCW_PARTITION_START", "2026-10-01")
    monkeypatch.delenv("CCW_ENGINE", raising=False)
    assert OrchestrationSettings.from_env().engine == "duckdb"
    monkeypatch.setenv("CCW_ENGINE", " Spark ")
    assert OrchestrationSettings.from_env().engine == "spark"
    monkeypatch.setenv("CCW_ENGINE", "postgres")
    with pytest.raises(ValueError, match="CCW_ENGINE='postgres': use one of duckdb, spark"):
        OrchestrationSettings.from_env()
    with pytest.raises(ValueError):
        OrchestrationSettings(engine="snowflake")


def test_a_spark_run_builds_what_needs_no_python_model_first_then_the_python_models_then_the_rest() -> None:
    from ccw_orchestration.assets.dbt_spark import plan_parts

    def node(kind: str, name: str, parents: tuple[str, ...] = (), language: str = "sql") -> tuple[str, dict]:
        return f"{kind}.p.{name}", {"resource_type": kind, "name": name, "language": language,
                                    "depends_on": {"nodes": [f"{p}" for p in parents]}}

    nodes = dict([node("seed", "s"), node("model", "a", ("seed.p.s",)),
                  node("model", "py", ("model.p.a",), language="python"), node("model", "b", ("model.p.py",)),
                  node("model", "c", ("model.p.a",)),
                  node("test", "t_a", ("model.p.a",)), node("test", "t_py", ("model.p.py",)),
                  node("test", "t_ab", ("model.p.a", "model.p.b"))])
    unit = {"unit_test.p.a.u_a": {"name": "u_a", "depends_on": {"nodes": ["model.p.a"]}, "config": {"tags": []}},
            "unit_test.p.b.u_b": {"name": "u_b", "depends_on": {"nodes": ["model.p.b"]}, "config": {"tags": []}},
            "unit_test.p.a.u_inc": {"name": "u_inc", "depends_on": {"nodes": ["model.p.a"]},
                                    "config": {"tags": ["incremental_run"]}}}
    children: dict[str, list[str]] = {}
    for uid, props in nodes.items():
        for parent in props["depends_on"]["nodes"]:
            children.setdefault(parent, []).append(uid)
    manifest = {"nodes": nodes, "unit_tests": unit, "child_map": children}
    refables = {"seed.p.s", "model.p.a", "model.p.py", "model.p.b", "model.p.c"}
    tests = {"test.p.t_a", "test.p.t_py", "test.p.t_ab"}
    first, pythons, last = plan_parts(manifest, refables, tests, unit_tests=True)
    assert first == ["a", "c", "s", "t_a", "u_a"]
    assert pythons == ["model.p.py"]
    assert last == ["b", "t_ab", "t_py", "u_b"]
    # a run of part of the graph: only what it selected, no unit tests when they are left out
    assert plan_parts(manifest, {"model.p.b"}, {"test.p.t_ab"}, unit_tests=False) == ([], [], ["b", "t_ab"])


def test_the_gates_sql_on_spark_expands_the_macros_and_keeps_the_batch() -> None:
    from ccw.quality.spark_sql import to_spark

    sql = to_spark('select _source_file from {batch} where quality.blank("Id") or hash(a, b) = 1 '
                   "or quality.invalid_duration(quality.clean(x), 10)")
    assert "{batch}" in sql and "quality." not in sql.lower()
    assert "XXHASH64(a, b)" in sql and "`Id`" in sql
    assert "TRIM(BOTH" in sql and "DECIMAL(38, 18)" in sql and "BETWEEN 0 AND (10)" in sql
    window = to_spark("select median(n) over (partition by d order by e rows between 4 preceding and 1 preceding) "
                      "from t")
    assert "PERCENTILE(n, 0.5) OVER" in window
