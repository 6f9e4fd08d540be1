"""A dbt Python model run outside dbt (``ccw.pymodel_host``, the Spark path of issue 20 item 3) gives what
dbt-duckdb gives.

Hand-made cases: the host's ``dbt`` object (ref, config, this), the dependency order and the zone-less timestamps of
``ccw.pymodels_on_spark`` (what ``scripts/spark_python_models.py`` and the Dagster dbt asset on Spark run). On the
shared default build: the four table-materialized Python models, run by the host on their inputs copied out of the
build file, equal the tables dbt-duckdb built, row for row (the two incremental churn models run
through the host in tests/python/test_churn.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import pytest

from ccw.pymodel_host import load_model, run_model
from conftest import ROOT, PipelineRun

TABLE_MODELS = ["int_analysis__agent_segments", "int_analysis__csat_drivers", "int_analysis__initiative_effects",
                "int_analysis__volume_forecast"]


@pytest.fixture(scope="module")
def spark_python_models() -> ModuleType:
    import ccw.pymodels_on_spark

    return ccw.pymodels_on_spark


def test_the_host_gives_a_model_refs_its_config_and_a_full_build(tmp_path: Path) -> None:
    path = tmp_path / "scaled.py"
    path.write_text(
        "def model(dbt, session):\n"
        "    dbt.config(materialized='table', factor=3)\n"
        "    assert not dbt.is_incremental and dbt.this == 'scaled'\n"
        "    rows = dbt.ref('numbers').filter('n > 1').order('n')\n"
        "    offset = dbt.config.get('offset', 0)\n"
        "    return rows.project(f\"n * {dbt.config.get('factor')} + {offset} as m, n / 0.0 as ratio\").df()\n",
        encoding="utf-8",
    )
    session = duckdb.connect()
    session.execute("create table numbers as select * from (values (1), (2), (3)) as t(n)")
    table = run_model(load_model(path), session, this="scaled", config={"offset": 10})
    # 2 * 3 + 10, 3 * 3 + 10; a division by zero is +inf in DuckDB, and a pandas NaN would become null (below)
    assert table.column("m").to_pylist() == [16, 19]
    assert table.column("ratio").to_pylist() == [float("inf"), float("inf")]


def test_a_dataframe_leaves_the_host_as_dbt_duckdb_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "frame.py"
    path.write_text(
        "import numpy as np\nimport pandas as pd\nfrom datetime import date\n"
        "def model(dbt, session):\n"
        "    return pd.DataFrame({'x': [1.5, np.nan], 'day': [date(2026, 10, 7), date(2026, 10, 8)]})\n",
        encoding="utf-8",
    )
    table = run_model(load_model(path), duckdb.connect(), this="frame")
    assert table.schema.field("day").type == pa.date32()
    assert table.column("x").to_pylist() == [1.5, None], "NaN is null, as in the DuckDB table"


def test_python_models_come_after_the_python_models_they_read(spark_python_models: ModuleType) -> None:
    def node(name: str, language: str, *parents: str) -> dict:
        return {"resource_type": "model", "language": language, "name": name, "depends_on": {"nodes": list(parents)}}

    manifest = {"nodes": {
        "model.p.b": node("b", "python", "model.p.z", "model.p.sql"),
        "model.p.z": node("z", "python"),
        "model.p.sql": node("sql", "sql", "model.p.a"),
        "model.p.a": node("a", "python"),
    }}
    assert [n["name"] for n in spark_python_models.python_models(manifest)] == ["a", "z", "b"]
    manifest["nodes"]["model.p.z"]["depends_on"]["nodes"] = ["model.p.b"]
    with pytest.raises(ValueError, match="a cycle of Python models"):
        spark_python_models.python_models(manifest)


def test_spark_timestamps_arrive_zone_less_in_utc(spark_python_models: ModuleType) -> None:
    new_york = timezone(timedelta(hours=-4))
    aware = pa.array([datetime(2026, 10, 7, 10, 0, tzinfo=UTC), datetime(2026, 10, 7, 10, 0, tzinfo=new_york)],
                     pa.timestamp("us", tz="UTC"))
    table = spark_python_models.naive_utc(pa.table({"at": aware, "n": [1, 2]}))
    assert table.schema.field("at").type == pa.timestamp("us")
    assert table.column("at").to_pylist() == [datetime(2026, 10, 7, 10, 0), datetime(2026, 10, 7, 14, 0)]
    assert table.column("n").to_pylist() == [1, 2]


@pytest.mark.parametrize("name", TABLE_MODELS)
def test_the_host_rebuilds_what_dbt_duckdb_built(built_sample: PipelineRun, name: str) -> None:
    manifest = json.loads((built_sample.build_warehouse.parent / "dbt_target" / "manifest.json").read_text())
    node = manifest["nodes"][f"model.contact_center.{name}"]
    session = duckdb.connect()
    session.execute(f"attach '{built_sample.build_warehouse}' as build (read_only)")
    for parent_id in node["depends_on"]["nodes"]:
        parent = manifest["nodes"][parent_id]
        source = f'build."{parent["schema"]}"."{parent["alias"]}"'
        session.execute(f'create table "{parent["name"]}" as select * from {source}')
    hosted = run_model(load_model(ROOT / node["original_file_path"]), session, this=name, config=node["config"])
    session.register("hosted", hosted)
    built = f'build."{node["schema"]}"."{node["alias"]}"'
    columns = ", ".join(f'"{field.name}"' for field in hosted.schema)
    count = "select count(*) from {}"
    assert session.sql(count.format("hosted")).fetchall() == session.sql(count.format(built)).fetchall()
    only_hosted = session.sql(f"select {columns} from hosted except all select {columns} from {built}").fetchall()
    only_built = session.sql(f"select {columns} from {built} except all select {columns} from hosted").fetchall()
    assert (only_hosted, only_built) == ([], []), name
    session.close()
