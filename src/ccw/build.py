"""Build the warehouse with dbt (seed, run and test in DAG order)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from ccw.config import PROJECT_ROOT, settings

#: set by ccw before each dbt call, read by profiles.yml when CCW_DBT_THREADS is not set
AUTO_THREADS_ENV = "CCW_DBT_AUTO_THREADS"
#: a build file this large or larger builds with one dbt thread. Two big models at once share DuckDB's memory limit
#: and spill. At 1/5 of the scale preset (a 14.5-18 GB build file), 2 threads against 1: a full build 429.1 s
#: against 349.6 s, a new export day 228.8 s against 206.9 s, a day with nothing new 129.4 s against 148.3 s
#: (2026-12-06); at the scale preset the models ran 2-6 times slower beside another. The default preset's 0.5 GB
#: file and the tests' smaller ones keep 2 threads. The threshold lies between the sizes measured.
ONE_THREAD_FROM_BYTES = 4 * 1024**3


def auto_dbt_threads(build_warehouse: Path) -> str:
    """The dbt threads for a build of ``build_warehouse`` when CCW_DBT_THREADS does not say: "1" from
    ONE_THREAD_FROM_BYTES on (a missing file is a first build of unknown size: "2")."""
    try:
        size = build_warehouse.stat().st_size
    except OSError:
        size = 0
    return "1" if size >= ONE_THREAD_FROM_BYTES else "2"


def dbt_env() -> None:
    """Point dbt at this project and at the configured warehouse file."""
    s = settings()
    os.environ["CCW_BUILD_WAREHOUSE"] = str(s.build_warehouse)
    os.environ[AUTO_THREADS_ENV] = auto_dbt_threads(s.build_warehouse)
    os.environ.setdefault("CCW_MEMORY_LIMIT", s.memory_limit)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    s.build_warehouse.parent.mkdir(parents=True, exist_ok=True)


def dbt_target_path(build_warehouse: Path | None = None) -> Path:
    """dbt's artifacts beside the build database (default: the configured one): one folder per build database, so
    partial parsing survives between invocations against the same file and concurrent builds never share one."""
    return (build_warehouse or settings().build_warehouse).parent / "dbt_target"


#: the DuckDB file as dbt's profile names it (profiles.yml): set by ``ccw-dbt`` in its own process only
DUCKDB_PATH_ENV = "CCW_DBT_DUCKDB_PATH"
#: "1": ``ccw-dbt`` starts dbt in the folder of CCW_BUILD_WAREHOUSE
IN_BUILD_FOLDER_ENV = "CCW_DBT_IN_BUILD_FOLDER"


def build_folder_env(build_warehouse: Path) -> dict[str, str]:
    """The environment in which ``ccw-dbt`` opens ``build_warehouse`` by its file name, from its folder.

    dbt keys partial parsing on the profile's values, the DuckDB path among them: with the absolute path of each data
    folder's build file, a run on a new data folder parsed the whole project again ("Unable to do partial parsing
    because profile has changed": 10.1 instead of 3.2 CPU-s on an idle machine, 2026-12-04), although the
    project's own parse (make setup) was there to copy. The same file name from its own folder gives the same profile
    for every build database of that name, and the same DuckDB catalogue name (the file's stem)."""
    return {"CCW_BUILD_WAREHOUSE": str(build_warehouse), IN_BUILD_FOLDER_ENV: "1"}


def reuse_project_parse(target: Path) -> None:
    """Copy the project's parse (make setup's ``target/partial_parse.msgpack``) into the dbt target folder ``target``
    when it has none, as dagster-dbt does for its runs: a dbt call there with ``build_folder_env`` then parses only
    what changed since."""
    project_parse = PROJECT_ROOT / "target" / "partial_parse.msgpack"
    if project_parse.exists() and not (target / project_parse.name).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project_parse, target / project_parse.name)


def dbt_cli_in_build_folder() -> None:
    """``ccw-dbt``: dbt's command line; with CCW_DBT_IN_BUILD_FOLDER=1 (``build_folder_env``) started in the folder
    of CCW_BUILD_WAREHOUSE, the profile naming the file relative to it. The relative name is set here, in dbt's own
    process: a variable set in the parent would reach every child it starts meanwhile (the Dagster step sets its
    variables in its process's environment for the dbt child; a test suite's other threads start children too).
    The project and profiles folders come from DBT_PROJECT_DIR / DBT_PROFILES_DIR (absolute, as dagster-dbt sets
    them) or the command line."""
    if sys.argv[1:] == ["--version"]:
        print(installed_dbt_versions())
        return
    if os.environ.get(IN_BUILD_FOLDER_ENV) == "1" and os.environ.get("CCW_BUILD_WAREHOUSE"):
        build = Path(os.environ["CCW_BUILD_WAREHOUSE"]).resolve()
        build.parent.mkdir(parents=True, exist_ok=True)
        os.chdir(build.parent)
        os.environ[DUCKDB_PATH_ENV] = build.name
        os.environ[AUTO_THREADS_ENV] = auto_dbt_threads(build)
    from ccw.spark_worker import forward_dbt

    status = forward_dbt(sys.argv[1:])  # on Spark, in the run's Spark worker when one serves this data folder
    if status is not None:
        sys.exit(status)
    from dbt.cli.main import cli

    cli()


#: dbt's adapter packages, by the plugin name `dbt --version` gives them
DBT_ADAPTERS = {"duckdb": "dbt-duckdb", "spark": "dbt-spark"}


def installed_dbt_versions() -> str:
    """What ``ccw-dbt --version`` prints: the installed dbt-core and adapters, in `dbt --version`'s layout, from the
    packages' metadata. dagster-dbt asks for the version before each dbt command it runs; dbt's own answer imports
    its command line and asks PyPI for the latest release (2.5 CPU-s and a network call, each time)."""
    from importlib.metadata import PackageNotFoundError, version

    plugins = []
    for plugin, package in DBT_ADAPTERS.items():
        with contextlib.suppress(PackageNotFoundError):
            plugins.append(f"  - {plugin}: {version(package)}")
    return "\n".join(["Core:", f"  - installed: {version('dbt-core')}", "", "Plugins:", *plugins])


def dbt_common_args() -> list[str]:
    """Arguments of every in-process dbt invocation: this project and its artifacts beside the build database."""
    target = dbt_target_path()
    return ["--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT), "--target-path", str(target),
            "--log-path", str(target / "logs")]


def run_dbt(args: Sequence[str]) -> bool:
    """Run one dbt command in-process; True when every node succeeded."""
    from dbt.cli.main import dbtRunner

    dbt_env()
    try:
        result = dbtRunner().invoke([*args, *dbt_common_args()])
    finally:
        release_duckdb_connections()
    return bool(result.success)


def release_duckdb_connections() -> None:
    """Close the DuckDB connection dbt-duckdb keeps open in this process after an in-process invoke.

    Without this, opening the same file again here (read-only, for the summary or the gates) fails with "Can't
    open a connection to same database file with a different configuration"."""
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()


def build_warehouse(select: str | None = None, extra: Sequence[str] = ()) -> bool:
    """`dbt build` (seeds, models and their tests, in dependency order)."""
    args = ["build", *extra]
    if select:
        args += ["--select", select]
    return run_dbt(args)
