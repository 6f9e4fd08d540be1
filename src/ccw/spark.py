"""The Spark session of the `spark` dbt target, for the steps that run beside dbt on Spark (issue 20).

dbt-spark's ``session`` method starts pyspark inside dbt's process with the ``server_side_parameters`` of the
`spark` output of ``profiles.yml``. Every other step that reads or writes the same catalogue (landing, the Python
models, the quality gates) must start its session with the same parameters, or it opens another warehouse
directory or metastore. ``spark_parameters`` renders them as dbt does (``env_var`` with its default);
``spark_session`` starts (or returns) the session. pyspark is the optional extra ``spark`` (Java 17).

Embedded Derby, the local metastore, allows one process at a time: a step's session and a dbt process never run
together on one data folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
import yaml

from ccw.config import PROJECT_ROOT

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROFILES = PROJECT_ROOT / "profiles.yml"
T = TypeVar("T")


def spark_parameters(profiles: Path = PROFILES, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The `spark` output's server_side_parameters, with ``env_var()`` rendered as dbt renders it (``environ``'s
    values ahead of this process's environment)."""
    outputs = yaml.safe_load(profiles.read_text())["contact_center"]["outputs"]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)

    def env_var(name: str, default: str | None = None) -> str:
        value = (environ or {}).get(name, os.environ.get(name, default))
        if value is None:
            raise KeyError(f"environment variable {name} is not set")
        return value

    return {
        str(key): env.from_string(str(value)).render(env_var=env_var)
        for key, value in outputs["spark"]["server_side_parameters"].items()
    }


def spark_session(environ: Mapping[str, str] | None = None) -> SparkSession:
    """The `spark` target's session (started with its parameters, or the one this process already has); ``environ``
    renders them for another data folder or settings without changing this process's environment."""
    from pyspark.sql import SparkSession  # the optional extra `spark`

    parameters = spark_parameters(environ=environ)
    warehouse = Path(parameters.get("spark.sql.warehouse.dir", "spark-warehouse"))
    warehouse.parent.mkdir(parents=True, exist_ok=True)  # the Derby log and metastore sit beside it
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in parameters.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def prepare_child() -> None:
    """A spawned child's ``__main__`` has neither ``__spec__`` nor ``__file__``, which pyspark's Spark Connect import
    check takes for a doctest run: it prints "Skipping doctests" and exits the process. Give it a file name."""
    import sys

    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = __file__


def prepare_pool_child() -> None:
    """``in_child``'s worker: ``prepare_child``, and an exit as ``ccw``'s, without the interpreter's teardown, where
    DuckDB's Python module printed dozens of "nanobind: leaked ..." lines into the test log after a child had run the
    quality gates (GX's caches still hold DuckDB objects; every file is closed by then). Registered before the work
    starts, the handler runs after the exit handlers registered since (pyspark's among them); multiprocessing's own
    clean-up runs before any of them, where the worker's process ends. A pool's worker ends only when the pool
    shuts down, after it has sent its result, so its exit status (0) tells nothing, as before."""
    import atexit

    from ccw.cli import exit_without_teardown

    prepare_child()
    atexit.register(exit_without_teardown)


def _with_environment(environment: dict[str, str], function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    os.environ.update(environment)
    return function(*args, **kwargs)


def in_child(function: Callable[..., T], *args: Any, environment: dict[str, str] | None = None, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a fresh Python process (spawned), its result or exception returned here.

    A Spark job started from a long-lived process must not keep its JVM there: the JVM keeps the embedded Derby
    metastore booted, and the next process could not open it. A child's JVM ends with the child (the tests' Spark
    jobs of their own; a run's steps share one JVM in ``ccw.spark_worker`` instead). ``function`` must be
    importable by name and its arguments and result picklable; ``environment`` is set in the child first (e.g.
    ``CCW_DATA_DIR``: where the target's tables are)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=prepare_pool_child) as pool:
        return pool.submit(_with_environment, dict(environment or {}), function, *args, **kwargs).result()


#: Java options for short Spark runs on small data (the tests' tiny preset), given through CCW_SPARK_JAVA_OPTIONS:
#: the quick compiler only (the optimising one costs more CPU than it saves in short jobs: landing the tiny preset
#: 79 -> 47 CPU-s), with the code cache the optimising compiler would have had (C1 alone gets 48 MB, and the dbt build
#: ran out of it: "Out of space in CodeCache").
QUICK_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m"

#: The environment of short Spark runs on small data (the tests): the JVM's quick compiler, and Spark interpreting its
#: plans instead of compiling Java code for each query (CCW_SPARK_CODEGEN=off, profiles.yml): part 1 of the tiny
#: preset's Spark build 143.6 instead of 180-193 CPU-s (docs/spark.md).
SMALL_DATA_ENV = {"CCW_SPARK_JAVA_OPTIONS": QUICK_JVM_OPTIONS, "CCW_SPARK_CODEGEN": "off"}
