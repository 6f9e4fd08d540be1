"""The Dagster code location on Spark (``CCW_ENGINE=spark``, issue 20 item 4): what needs no whole Spark build.

The daily job on Spark itself (landing, GX gates, the three-part dbt build, serving) runs once per test session, in
the background, and is asserted in ``test_spark_build.py``. Here: a critical raw problem planted in one export file
(the key blanked in a tenth of its rows) stops the raw gate on Spark as it stops it on DuckDB (the same file
distrusted for the same rule, the same rows set aside); the engine setting; how a run splits into its three dbt
parts; the gates' SQL on Spark. The Spark test skips with the reason printed when pyspark or Java is missing.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import shutil
from pathlib import Path

import pytest

from ccw.generate import GeneratorConfig, generate
from ccw.quality.verdicts import GateReport
from conftest import background_result, built_in_background

_MISSING = ("pyspark is not installed (pip install -e '.[spark]')" if importlib.util.find_spec("pyspark") is None
            else "java is not on PATH (apt-get install openjdk-17-jre-headless)" if shutil.which("java") is None
            else None)
if _MISSING:
    print(f"\ntest_orchestration_spark skipped: {_MISSING}")
needs_spark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

@pytest.fixture(scope="module")
def tiny_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny preset's exports (generated once for the module; each test copies what it uses)."""
    raw = tmp_path_factory.mktemp("spark_tiny_raw") / "raw"
    generate(GeneratorConfig.preset("tiny"), raw, progress=False)
    return raw


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


def _plant_land_and_gate_on_spark(data_dir: Path) -> tuple[tuple[str, int, int], GateReport]:
    """In one child process (one JVM where the daily job's two assets start two: the JVM's start is most of what a
    step on the tiny preset costs): the tiny preset's survey exports, the blank keys planted, landing and the raw
    gates on Spark."""
    from ccw.quality import run_raw_gates, suites
    from ccw.spark import spark_session
    from ccw_orchestration.assets.landing import land_on_spark

    # only the survey table's suite, as the DuckDB side judges only the tables with new files: the other 16 tables
    # are empty here, and each of their expectations is a Spark job all the same (this child's own module state)
    every_suite = suites.raw_suites

    def survey_suite_only() -> list:
        (survey,) = [s for s in every_suite() if s.name == "raw.survey__responses"]  # built in the gates' GX context
        return [survey]

    suites.raw_suites = survey_suite_only
    sample = data_dir.parent / "sample"
    generate(GeneratorConfig.preset("tiny"), sample, progress=False)
    shutil.copytree(sample / "survey", data_dir / "raw" / "survey")
    planted = _plant_blank_keys(data_dir / "raw")
    # started outside a test, pytest captures nothing of this child: the JVM's warnings and GX's progress bars stay
    # out of the log (the session is the one the steps below get)
    spark_session().sparkContext.setLogLevel("ERROR")
    with contextlib.redirect_stderr(io.StringIO()):
        land_on_spark(data_dir / "raw", data_dir / "quarantine")
        return planted, run_raw_gates(data_dir / "build" / "warehouse.duckdb", data_dir, engine="spark")


@built_in_background("planted_on_spark")
def gate_planted_problem_on_spark(base: Path) -> tuple[tuple[str, int, int], GateReport] | str:
    """The Spark side of the planted-problem test, started in the background at session start (conftest): alone it
    takes about 40 s, most of it the JVM; in the foreground of a clean-clone `make test` it took 49-51 s near the
    end, when the background builds were done and one core was idle. The reason it cannot run, when it cannot."""
    if _MISSING:
        return _MISSING
    from ccw.spark import SMALL_DATA_ENV, in_child

    data_dir = base / "spark"
    return in_child(_plant_land_and_gate_on_spark, data_dir,
                    environment={"CCW_DATA_DIR": str(data_dir), **SMALL_DATA_ENV})


@pytest.fixture(scope="module")
def planted_on_spark(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[str, int, int], GateReport]:
    result = background_result("planted_on_spark", tmp_path_factory)
    if isinstance(result, str):
        print(f"SKIPPED the planted problem on Spark: {result}")
        pytest.skip(result)
    return result


@needs_spark
def test_an_untrusted_file_is_set_aside_whole_on_spark_as_on_duckdb(
    tiny_raw: Path, tmp_path: Path, planted_on_spark: tuple[tuple[str, int, int], GateReport],
) -> None:
    from ccw.land import land_all
    from ccw.quality import run_raw_gates

    data_dir = tmp_path / "duckdb"
    shutil.copytree(tiny_raw / "survey", data_dir / "raw" / "survey")
    planted, blanked, file_rows = _plant_blank_keys(data_dir / "raw")
    build = data_dir / "build" / "warehouse.duckdb"
    land_all(data_dir / "raw", build, data_dir / "quarantine")
    planted_spark, spark_report = planted_on_spark
    assert planted_spark == (planted, blanked, file_rows)  # the same sample, the same file planted
    reports = {"duckdb": run_raw_gates(build, data_dir), "spark": spark_report}
    for engine, report in reports.items():
        assert [(f.source_file, f.raw_table, f.failing_rows, f.file_rows, dict(f.rules))
                for f in report.untrusted_files] == [
            (planted, "survey__responses", blanked, file_rows, {"response_id_present": blanked})], engine
        # the blank keys under their rule, then the file's other rows: the untrusted file is set aside whole
        assert report.quarantined_rows == file_rows, engine
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
