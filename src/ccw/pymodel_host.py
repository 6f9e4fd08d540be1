"""Run one of the project's dbt Python models outside dbt, on an in-process DuckDB holding its inputs.

dbt-duckdb runs the Python models (models/analysis/intermediate/*.py) inside dbt. dbt-spark runs Python models only
on Databricks, so on any other Spark (a local pyspark, EMR, a Thrift server) this host runs the same ``model(dbt,
session)`` function: the engine's input tables are copied into an in-memory DuckDB (Arrow), the model runs on it as
it runs in dbt-duckdb, and its result (a pandas DataFrame, an Arrow table or an Arrow stream) goes back to the engine
(``scripts/spark_python_models.py``). One code path for both engines, so the analysis marts are the same on both
(docs/spark.md, "Python models"). The unit tests of the incremental churn models use the same host.

What the host gives a model is the part of dbt's Python-model API the project uses: ``dbt.ref(name)`` (a DuckDB
relation), ``dbt.config(...)`` / ``dbt.config.get(key)`` (the model's YAML config), ``dbt.this`` and
``dbt.is_incremental``; ``session`` is the DuckDB connection.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa


class ModelConfig:
    """``dbt.config``: called by a model to set its config, read with ``.get(key, default)``."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values = dict(values or {})

    def __call__(self, **values: Any) -> None:
        self._values.update(values)

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


class HostDbt:
    """The ``dbt`` argument of ``model(dbt, session)``: ``ref`` reads the table ``refs`` maps the name to (the name
    itself when unmapped) from the DuckDB ``session``."""

    def __init__(self, session: duckdb.DuckDBPyConnection, this: str, refs: Mapping[str, str] | None = None,
                 is_incremental: bool = False, config: Mapping[str, Any] | None = None) -> None:
        self.session, self.this, self.is_incremental = session, this, is_incremental
        self._refs = dict(refs or {})
        self.config = ModelConfig(config)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        return self.session.table(self._refs.get(name, name))


def load_model(path: Path) -> ModuleType:
    """The Python model file as a module (its ``model`` function and helpers)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_arrow(result: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    """A model's return value (Arrow table or stream, pandas DataFrame or DuckDB relation) as an Arrow table. A
    DataFrame goes through DuckDB, as dbt-duckdb materializes it (NaN becomes null, a column of dates a DATE column);
    a stream is read outside any DuckDB query, as its parts may read from ``session`` (ccw.pymodels.stream)."""
    if isinstance(result, pa.Table):
        return result
    if isinstance(result, pa.RecordBatchReader):
        return result.read_all()
    if isinstance(result, pd.DataFrame):
        result = session.from_df(result)
    return result.to_arrow_table()


def run_model(module: ModuleType, session: duckdb.DuckDBPyConnection, this: str,
              refs: Mapping[str, str] | None = None, config: Mapping[str, Any] | None = None) -> pa.Table:
    """A full build of the model (``is_incremental`` false) on the tables of ``session``."""
    return as_arrow(module.model(HostDbt(session, this, refs, is_incremental=False, config=config), session), session)
