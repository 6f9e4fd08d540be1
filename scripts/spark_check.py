"""Build a preset on DuckDB and on Spark and check that both engines give the same tables (issue 20).

    .venv/bin/python scripts/spark_check.py [--dir /tmp/ccw-spark-check] [--preset tiny]   # or: make spark-check

The steps, each a child process in a fresh data folder (`<dir>/data`; dbt's artefacts in `<dir>/target_<engine>`,
so the project's own `target/` and `data/` are never touched):

1. `ccw generate --preset <preset>`, `ccw land --engine duckdb`;
2. DuckDB: `dbt seed`, `dbt run` of every model (the dev target; the Python models in dbt-duckdb);
3. `ccw land --engine spark`: the same export files into the raw tables of the Spark catalogue (Spark's readers,
   `ccw.land.spark`), so the comparison covers landing too;
4. Spark: `dbt seed`; `dbt run --full-refresh` of every SQL model that does not read a Python model (tag
   incremental_run left out: merge needs Delta or Iceberg); `scripts/spark_python_models.py` (the Python models,
   which dbt-spark runs only on Databricks); `dbt run --full-refresh` of the SQL models that read them; the unit
   tests of `stg_telephony__contact_records` (the only ones whose fixtures need a Spark macro, `struct_literal`).
   The data tests are not run on Spark: what they check of the models' logic, the comparison checks against the
   DuckDB build, whose data tests `make test` runs;
5. `scripts/spark_equivalence.py --layers marts intermediate staging --require-all`: every table (none built on one
   engine only), order-independent, floats to 6 significant digits (docs/spark.md "Equivalence with DuckDB").

Prints each step's wall time, CPU and peak memory (of its whole process tree) and exits with the first failing
step's status (0: the engines agree). Needs Java 17 and the `spark` extra (`make spark-check` installs both). About
6.4 min wall on 2 cores for the tiny preset (385 s, idle, 2026-12-04; docs/spark.md); `--preset default` gives the
README's engine comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from ccw.build import build_folder_env, reuse_project_parse

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: (name, command, environment overrides)
Step = tuple[str, list[str], dict[str, str]]
#: lanes that run at the same time, each a list of steps in order; the next stage starts when every lane ended
Stage = list[list[Step]]
BIN = Path(sys.executable).parent
#: the project's dbt Python models (dbt-spark cannot run them outside Databricks: spark_python_models.py builds them)
PYTHON_MODELS = sorted(path.stem for path in (PROJECT_DIR / "models").rglob("*.py"))
#: on Spark, a full build without merge (tag incremental_run: a test of an incremental run, needs Delta or Iceberg)
SPARK_SQL_FIRST = ["--full-refresh", "--exclude", "tag:incremental_run", *(f"{name}+" for name in PYTHON_MODELS)]
SPARK_SQL_AFTER = ["--full-refresh", "--select", *(f"{name}+" for name in PYTHON_MODELS),
                   "--exclude", "tag:incremental_run", *PYTHON_MODELS]
SPARK_UNIT_TESTS = ["--select", "test_type:unit,stg_telephony__contact_records"]


def steps(work: Path, preset: str = "tiny") -> list[Step]:
    """(name, command, environment overrides) in order; each engine keeps dbt's artefacts in its own folder."""
    duckdb_env = {"DBT_TARGET_PATH": str(work / "target_duckdb")}
    spark_env = {"DBT_TARGET_PATH": str(work / "target_spark")}
    spark = [str(BIN / "dbt"), "run", "--quiet", "--target", "spark"]
    return [
        (f"generate the {preset} preset", [str(BIN / "ccw"), "generate", "--preset", preset], {}),
        ("land it (DuckDB)", [str(BIN / "ccw"), "land", "--engine", "duckdb"], {}),
        ("DuckDB: dbt seed", [str(BIN / "dbt"), "seed", "--quiet"], duckdb_env),
        ("DuckDB: dbt run", [str(BIN / "dbt"), "run", "--quiet"], duckdb_env),
        ("land it (Spark)", [str(BIN / "ccw"), "land", "--engine", "spark"], {}),
        ("Spark: dbt seed", [str(BIN / "dbt"), "seed", "--quiet", "--target", "spark"], spark_env),
        ("Spark: dbt run (SQL)", [*spark, *SPARK_SQL_FIRST], spark_env),
        ("Spark: Python models", [sys.executable, str(PROJECT_DIR / "scripts" / "spark_python_models.py")],
         spark_env),
        ("Spark: dbt run (on Python)", [*spark, *SPARK_SQL_AFTER], spark_env),
        ("Spark: unit tests", [str(BIN / "dbt"), "test", "--quiet", "--target", "spark", *SPARK_UNIT_TESTS],
         spark_env),
        ("compare the engines", [sys.executable, str(PROJECT_DIR / "scripts" / "spark_equivalence.py"),
                                 "--layers", "marts", "intermediate", "staging", "--require-all"], {}),
    ]


def pipeline_steps(work: Path, preset: str = "tiny") -> list[Stage]:
    """``--pipeline``: the Spark side is the Dagster daily job with ``CCW_ENGINE=spark`` (landing, GX raw gates, the
    three-part dbt build, GX mart gates, serving, report: ``scripts/spark_daily_job.py``, its run kept in
    ``<work>/dagster``); the DuckDB side lands, runs the raw gates (which set failing rows aside, as the Spark run's
    gates do) and builds, in a build file of its own (the Spark run publishes through the default one).

    The two sides run at the same time, each in a data folder of its own over the same exports (the DuckDB side's in
    ``<work>/duckdb_data``, its dbt log in ``<work>/logs_duckdb``): the DuckDB side's 40-52 s (idle machine) leave the
    chain instead of following the Spark job's 7-8 minutes."""
    duckdb_env = {"DBT_TARGET_PATH": str(work / "target_duckdb"),
                  "CCW_BUILD_WAREHOUSE": str(work / "duckdb" / "warehouse.duckdb")}
    duckdb_lane = {**duckdb_env, "CCW_DATA_DIR": str(work / "duckdb_data"), "CCW_RAW_ROOT": str(work / "data" / "raw"),
                   "DBT_LOG_PATH": str(work / "logs_duckdb")}
    # seeds and models in one dbt call, started where it parses only what changed since the project's parse
    # (ccw.build.build_folder_env, reuse_project_parse): 2 dbt calls and a full parse before
    dbt_folder = build_folder_env(Path(duckdb_env["CCW_BUILD_WAREHOUSE"]))
    return [
        [[(f"generate the {preset} preset", [str(BIN / "ccw"), "generate", "--preset", preset], {})]],
        [
            [("Spark: the daily job", [sys.executable, str(PROJECT_DIR / "scripts" / "spark_daily_job.py"),
                                       "--dagster-home", str(work / "dagster")], {})],
            [("land it (DuckDB)", [str(BIN / "ccw"), "land", "--engine", "duckdb"], duckdb_lane),
             ("DuckDB: raw gates", [sys.executable, "-m", "ccw.quality", "raw"], duckdb_lane),
             ("DuckDB: dbt seed and run", [str(BIN / "ccw-dbt"), "build", "--quiet", "--resource-type", "seed",
                                           "--resource-type", "model"], {**duckdb_lane, **dbt_folder})],
        ],
        [[("compare the engines", [sys.executable, str(PROJECT_DIR / "scripts" / "spark_equivalence.py"),
                                   "--layers", "raw", "marts", "intermediate", "staging", "--require-all"],
           duckdb_env)]],
    ]


def environment(work: Path) -> dict[str, str]:
    """The children's environment: every path inside ``work``; the rest as the caller has it."""
    data = work / "data"
    env = dict(os.environ)
    env.update({
        "CCW_DATA_DIR": str(data),
        "CCW_BUILD_WAREHOUSE": str(data / "build" / "warehouse.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    return env


class TreeMeter:
    """CPU seconds and peak resident memory of a process and all its descendants (the JVM that dbt-spark's session
    starts included, which `time` and RUSAGE_CHILDREN miss), sampled from /proc every half second (Linux): a lower
    bound, since a process's last half second before it exits is not seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.cpu, self.peak_rss = pid, {}, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._thread.start()

    def _sample_until_stopped(self) -> None:
        tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            parents: dict[int, int] = {}
            stats: dict[int, list[str]] = {}
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                        rss_pages = int((entry / "statm").read_text().split()[1])
                    except (OSError, IndexError, ValueError):
                        continue
                    parents[int(entry.name)], stats[int(entry.name)] = int(fields[1]), [*fields, str(rss_pages)]
            tree, grew = {self.pid}, True
            while grew:
                children = {pid for pid, parent in parents.items() if parent in tree} - tree
                tree |= children
                grew = bool(children)
            rss = 0.0
            for pid in tree & set(stats):
                fields = stats[pid]
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
                rss += int(fields[-1]) * page
            self.peak_rss = max(self.peak_rss, rss)
            self._stop.wait(0.5)

    def stop(self) -> tuple[float, float]:
        """(CPU seconds, peak RSS in GB) of the tree while it was watched."""
        self._stop.set()
        self._thread.join()
        return sum(self.cpu.values()), self.peak_rss / 1e9


def _run_step(step: Step, base: dict[str, str]) -> int:
    """One step as a child process, its figures printed; its exit status."""
    name, command, extra = step
    began = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT_DIR, env={**base, **extra}, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, errors="replace")
    meter = TreeMeter(child.pid)
    output, _ = child.communicate()
    cpu, peak = meter.stop()
    print(f"[spark-check] {name:<26} {time.perf_counter() - began:7.1f} s  CPU {cpu:7.1f} s  "
          f"peak RSS {peak:5.2f} GB  exit {child.returncode}", flush=True)
    if child.returncode != 0 or name == "compare the engines":
        print(output[-20000:], flush=True)
    if child.returncode != 0:
        print(f"[spark-check] FAILED at: {name}", flush=True)
    return child.returncode


def _run_lane(lane: list[Step], base: dict[str, str]) -> int:
    """The lane's steps in order up to the first that fails; that step's exit status, else 0."""
    for step in lane:
        status = _run_step(step, base)
        if status != 0:
            return status
    return 0


def run(work: Path, preset: str = "tiny", pipeline: bool = False) -> int:
    """Every step in ``work`` (emptied first); the first failing step's exit status, else 0."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = environment(work)
    started = time.perf_counter()
    if pipeline:
        reuse_project_parse(work / "target_duckdb")
    stages = pipeline_steps(work, preset) if pipeline else [[[step]] for step in steps(work, preset)]
    for stage in stages:
        with ThreadPoolExecutor(max_workers=len(stage)) as lanes:
            failed = [status for status in lanes.map(partial(_run_lane, base=base), stage) if status != 0]
        if failed:
            return failed[0]
    print(f"[spark-check] the engines agree ({time.perf_counter() - started:.0f} s in all)", flush=True)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ccw-spark-check"),
                        help="work folder (emptied first; default /tmp/ccw-spark-check)")
    parser.add_argument("--preset", default="tiny", help="the sample to build (default tiny; `default` for the "
                        "README's engine comparison)")
    parser.add_argument("--pipeline", action="store_true", help="the Spark side through the Dagster daily job "
                        "(CCW_ENGINE=spark: landing, GX gates, dbt, serving), without the unit tests: what make test "
                        "runs")
    args = parser.parse_args()
    sys.exit(run(args.dir.resolve(), args.preset, args.pipeline))


if __name__ == "__main__":
    main()
