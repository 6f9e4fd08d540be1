"""An incremental staging table built by an earlier version of the project (a column the model now keeps is
missing) stops its incremental run with what to do, not with the engine's binder error
(macros/staging/incremental_versions.sql: require_current_columns)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ccw.build import build_folder_env, reuse_project_parse
from conftest import ROOT, PipelineRun, pipeline_env


def test_a_staging_table_of_an_earlier_version_asks_for_a_full_refresh(built_sample: PipelineRun,
                                                                        tmp_path: Path) -> None:
    build = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_sample.build_warehouse, build)
    with duckdb.connect(str(build)) as con:  # as a build before is_deleted existed left it
        con.execute("alter table staging.stg_helpdesk__groups drop column is_deleted")
    reuse_project_parse(tmp_path / "target")
    env = {**pipeline_env(built_sample.data_dir), **build_folder_env(build),  # CCW_BUILD_WAREHOUSE among them
           "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    dbt = Path(sys.executable).with_name("ccw-dbt")  # in the build's folder, as the Dagster dbt step runs it
    done = subprocess.run([str(dbt), "run", "--select", "stg_helpdesk__groups"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "was built by an earlier version of this project: it has no column is_deleted" in done.stdout
    assert "--full-refresh --select stg_helpdesk__groups" in done.stdout
    assert "Binder Error" not in done.stdout
    with duckdb.connect(str(build), read_only=True) as con:  # the table is left as it was, for the rebuild
        columns = [row[0] for row in con.sql("describe staging.stg_helpdesk__groups").fetchall()]
    assert "is_deleted" not in columns and "group_id" in columns
