"""analysis_customer_churn_risk is incremental by as-of month: a run computes again only the months whose features'
or scores' input signature changed, deletes the months gone from the features, and the table then equals a full
build of the same inputs.

On a copy of the shared run's build file (default preset: as-of months Aug, Sep and Oct 2026). The intermediate
tables the mart reads are edited in the copy; after the runs the copy is copied again and built with
--full-refresh, and the two tables must hold the same rows."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import PipelineRun, run_dbt

MODEL = "analysis_customer_churn_risk"
TABLE = f"marts.{MODEL}"
FEATURES = "intermediate.int_analysis__churn_features"
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def _build(data: Path) -> Path:
    return data / "build" / "warehouse.duckdb"


def _run(data: Path, *args: str) -> None:
    done = run_dbt(data, "run", "--select", MODEL, *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _execute(build: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(build)) as con:
        return con.execute(sql, list(params)).fetchall()


def _rows(build: Path) -> list[tuple]:
    """Every row, doubles rounded to 9 decimals."""
    with duckdb.connect(str(build), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by column_name", [MODEL]).fetchall()
        select = ", ".join(f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind in columns)
        return con.execute(f"select {select} from {TABLE} order by all").fetchall()


def _equals_a_full_build(data: Path, tmp: Path) -> None:
    full = tmp / "full"
    _build(full).parent.mkdir(parents=True)
    shutil.copy2(_build(data), _build(full))
    _run(full, "--full-refresh")
    assert _rows(_build(data)) == _rows(_build(full))


def _probes(build: Path) -> dict[date, int]:
    """Rows per month still holding the probe value (contacts = -1)."""
    rows = _execute(build, f"select as_of_month, count(*) from {TABLE} where contacts = -1 group by 1")
    return dict(rows)


@pytest.fixture
def data(built_sample: PipelineRun, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    _build(data).parent.mkdir(parents=True)
    shutil.copy2(built_sample.build_warehouse, _build(data))
    return data


def test_only_months_whose_inputs_changed_are_computed_again(data: Path, tmp_path: Path) -> None:
    """Nothing changed: every stored row survives a run (a probe value written into all of them stays). Sep's
    features computed again (a new signature, one more contact for every customer): Sep's rows are computed from
    them and Aug's and Oct's probes survive. With the probes put back to the true values, the table equals a full
    build."""
    build = _build(data)
    months = dict(_execute(build, f"select as_of_month, count(*) from {TABLE} group by 1"))
    assert sorted(months) == [AUG, SEP, OCT]
    _execute(build, f"create table main.kept as select customer_id, as_of_month, contacts from {TABLE}")
    _execute(build, f"update {TABLE} set contacts = -1")
    _run(data)
    assert _probes(build) == months, "a run with nothing new computed months again"

    _execute(build, f"update {FEATURES} set contacts = contacts + 1, input_signature = 'probe' where as_of_month = ?",
             SEP)
    _run(data)
    assert _probes(build) == {AUG: months[AUG], OCT: months[OCT]}
    assert _execute(build, f"""
        select count(*) from {TABLE} as risk
        inner join {FEATURES} as features using (customer_id, as_of_month)
        where risk.as_of_month = ? and risk.contacts <> features.contacts""", SEP) == [(0,)]
    _execute(build, f"""
        update {TABLE} as risk set contacts = kept.contacts from main.kept as kept
        where risk.customer_id = kept.customer_id and risk.as_of_month = kept.as_of_month and risk.contacts = -1""")
    _execute(build, "drop table main.kept")
    _equals_a_full_build(data, tmp_path)


def test_a_month_gone_from_the_features_leaves_the_table(data: Path, tmp_path: Path) -> None:
    build = _build(data)
    _execute(build, f"delete from {FEATURES} where as_of_month = ?", AUG)
    _run(data)
    assert [m for (m,) in _execute(build, f"select distinct as_of_month from {TABLE} order by 1")] == [SEP, OCT]
    _equals_a_full_build(data, tmp_path)
