"""Resources injected into assets: where the raw exports, the build database and the serving file live; the
run's Spark worker."""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg
from pydantic import PrivateAttr

from ccw.config import settings

T = TypeVar("T")


class WarehouseResource(dg.ConfigurableResource):
    """Paths of the raw exports and of the DuckDB files (defaults from ccw.config / env vars)."""

    data_dir: str = ""
    raw_root: str = ""
    warehouse: str = ""
    build_warehouse: str = ""

    def data_dir_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else settings().data_dir

    def raw_root_path(self) -> Path:
        return Path(self.raw_root) if self.raw_root else settings().raw_root

    def warehouse_path(self) -> Path:
        """The serving file BI tools read (published marts)."""
        return Path(self.warehouse) if self.warehouse else settings().warehouse

    def build_warehouse_path(self) -> Path:
        """The private build database: raw tables and every dbt layer."""
        return Path(self.build_warehouse) if self.build_warehouse else settings().build_warehouse


def spark_environment(data_dir: Path) -> dict[str, str]:
    """What a Spark worker's process needs to open the `spark` target of ``data_dir`` (profiles.yml)."""
    return {"CCW_DATA_DIR": str(data_dir)}


class SparkWorkerResource(dg.ConfigurableResource):
    """The run's Spark worker (``ccw.spark_worker``), one per data folder: one JVM whose session every step on Spark
    (landing, the gates, the Python models, the copy into the serving file) and every dbt part of the build use.
    Started on first use, ended when the run ends (``ccw run``'s in-process executor) or the step does (an executor
    with a process per step); a DuckDB run never starts it."""

    _workers: dict[tuple[tuple[str, str], ...], Any] = PrivateAttr(default_factory=dict)

    def worker(self, environment: Mapping[str, str]) -> Any:
        """The worker of ``environment`` (``CCW_DATA_DIR``: the data folder), started."""
        from ccw.spark_worker import SparkWorker

        key = tuple(sorted(environment.items()))
        if key not in self._workers:
            self._workers[key] = SparkWorker(environment)
        worker = self._workers[key]
        worker.start()
        return worker

    def call(self, function: Callable[..., T], *args: Any, environment: Mapping[str, str], **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in the worker of ``environment``."""
        return self.worker(environment).call(function, *args, **kwargs)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
