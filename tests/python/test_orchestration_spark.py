"""The Dagster code location on Spark (``CCW_ENGINE=spark``, issue 20 item 4): what needs no whole Spark build.

The daily job on Spark itself (landing, GX gates, the three-part dbt build, serving) runs once per test session, in
the background, and is asserted in ``test_spark_build.py``; an untrusted file set aside whole by the raw gates on
Spark as on DuckDB is asserted in ``test_land_on_spark.py``, in that module's Spark session. Here: the engine
setting; how a run splits into its three dbt parts; the gates' SQL on Spark.
"""

from __future__ import annotations

import pytest


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
