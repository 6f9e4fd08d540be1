"""Shared fixtures: the whole pipeline run once per test session on the default sample.

Building the default sample takes a few minutes, so every test that needs a built warehouse (KPIs vs. raw, gates
on the clean sample, publishing, the report, the Dagster run) reads the outputs of this one run instead of building
its own. Tests that must break something build their own small warehouse.

The run starts in a child process when the session starts, and the tests that use it run right after the tests that
need no set-up (``_order``): the machine's second core builds the sample while the first runs every test that does
not need it. The other slow set-ups run in background threads at a lower CPU priority (``BACKGROUND_NICE``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# the test process ends as ccw does (pytest_unconfigure: os._exit), so it turns off the same warning of
# multiprocessing's resource tracker, before the tracker starts (ccw.cli.entry says why)
from ccw.cli import RESOURCE_TRACKER_WARNING  # noqa: E402

sys.warnoptions.append(f"ignore:{RESOURCE_TRACKER_WARNING}:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
CCW = Path(sys.executable).with_name("ccw")
DBT = Path(sys.executable).with_name("ccw-dbt")
#: the preset of the shared run; CCW_TEST_PRESET=tiny makes a quick local iteration possible
PRESET = os.environ.get("CCW_TEST_PRESET", "default")

# The tests' dbt runs (every child process inherits this) write no dbt.log: its debug lines (every statement and
# event of every node, 25 MB for a tiny `ccw run`) cost about an eighth of a tiny build's dbt CPU (42.4-44.1 ->
# 37.7-37.8 CPU-s, 2026-12-06) and no test reads them. dbt's info log on stdout, which dagster-dbt reads, is unchanged.
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")

#: for the tests' own dbt calls whose artifacts no test reads: dbt writes no manifest.json and run_results.json (nor
#: semantic_manifest.json). Writing them is a fixed cost of every call, about a fifth of a small one's CPU (`dbt run`
#: of one staging model 7.5-9.6 -> 5.5-6.4 CPU-s, 2026-12-08). `ccw run`'s own dbt build writes them (publishing
#: reads the semantic manifest).
NO_JSON_ARTIFACTS = {"DBT_WRITE_JSON": "false"}


@dataclass(frozen=True)
class PipelineRun:
    """Where the shared `ccw run` wrote everything, and what it printed."""

    data_dir: Path
    raw_root: Path
    warehouse: Path
    build_warehouse: Path
    output: str
    returncode: int
    seconds: float

    def env(self) -> dict[str, str]:
        """Environment that points ccw, dbt and Dagster at this run's files."""
        return pipeline_env(self.data_dir)


def environ_copy() -> dict[str, str]:
    """A copy of ``os.environ`` that a background set-up's thread can take while the foreground changes it: copying
    reads the keys, then each value, and pytest deletes PYTEST_CURRENT_TEST after every test (a copy taken in
    between raised KeyError in CI, stop 34). Library code that copies the environment in a loop (GX does it for
    every setting it reads) runs in its own process instead (``in_own_process``)."""
    for _ in range(1000):
        with contextlib.suppress(KeyError, RuntimeError):
            return dict(os.environ)
    return dict(os.environ)


def pipeline_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in environ_copy().items() if not k.startswith("CCW_")}
    env.update({
        "CCW_DATA_DIR": str(data_dir),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    return env


def run_ccw(data_dir: Path, *args: str, timeout: float = 1500) -> subprocess.CompletedProcess[str]:
    """`ccw <args>` in a child process against ``data_dir`` (an in-process dbt would keep DuckDB files open). Its
    dbt build leaves out the dbt unit tests (CCW_DBT_SKIP_UNIT_TESTS): they do not read the data, and the shared
    run builds with all of them; about 20 s less per small run. The timeout only catches a run that hangs: a small
    run takes about a minute alone, but the background ones run niced beside the foreground tests, and on a slow
    hour of this machine (the tests at 1.5 times their usual time, 2026-12-06) ten of them passed 900 s."""
    return subprocess.run(
        [str(CCW), *args], cwd=ROOT, env=pipeline_env(data_dir) | {"CCW_DBT_SKIP_UNIT_TESTS": "1"},
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def run_dbt(data_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``ccw-dbt <args>`` against ``data_dir``'s build database, in the target folder a run keeps beside it (the run
    re-uses the parse, which re-uses the project's); it writes no JSON artifacts (``NO_JSON_ARTIFACTS``)."""
    from ccw.build import build_folder_env, reuse_project_parse

    build = data_dir / "build" / "warehouse.duckdb"
    target = build.parent / "dbt_target"
    reuse_project_parse(target)
    env = pipeline_env(data_dir) | build_folder_env(build) | NO_JSON_ARTIFACTS  # CCW_BUILD_WAREHOUSE among them
    return subprocess.run(
        [str(DBT), *args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT), "--target-path", str(target),
         "--log-path", str(target / "logs")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


SHARED_FIXTURES = {"pipeline_run", "built_sample"}


class _SharedRun:
    """The shared `ccw run`, started in the background at session start (when a selected test needs it)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.data_dir: Path | None = None
        self.started = self.started_at = 0.0
        self.seconds: float | None = None
        self.log: Path | None = None

    def start(self, data_dir: Path) -> None:
        self.data_dir, self.started, self.started_at = data_dir, time.perf_counter(), time.time()
        self.log = data_dir.parent / f"{data_dir.name}.log"
        with self.log.open("w", encoding="utf-8") as out:
            # at the foreground's CPU priority, ahead of the background set-ups (BACKGROUND_NICE): its tests are the
            # suite's heaviest that need a set-up, and they run next after the tests that need none (_order)
            self.process = subprocess.Popen(
                [str(CCW), "run", "--preset", PRESET], cwd=ROOT, env=pipeline_env(data_dir), stdout=out,
                stderr=subprocess.STDOUT, text=True,
            )

    def wait(self, timeout: float = 1500) -> PipelineRun:
        assert self.process is not None and self.data_dir is not None and self.log is not None
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            returncode = self.process.wait()
        # until its log was last written (the run may have ended long before a fixture waited for it)
        self.seconds = self.seconds or self.log.stat().st_mtime - self.started_at
        data_dir = self.data_dir
        return PipelineRun(
            data_dir=data_dir,
            raw_root=data_dir / "raw",
            warehouse=data_dir / "warehouse.duckdb",
            build_warehouse=data_dir / "build" / "warehouse.duckdb",
            output=self.log.read_text(encoding="utf-8", errors="replace"),
            returncode=returncode,
            seconds=time.perf_counter() - self.started,
        )


_SHARED = _SharedRun()


def _uses_shared_run(item: pytest.Item) -> bool:
    return bool(SHARED_FIXTURES & set(getattr(item, "fixturenames", ())))


#: CPU priority (nice) of the background set-ups' threads and of every process they start: below the foreground
#: tests and the shared run. The suite is CPU-bound (both cores busy until its last minutes); at equal priority a
#: dozen background processes left the foreground a twentieth of a core (a 1-s landing test took 20 s), so its own
#: tests and the shared run's piled up after the background ended: 180 s with one core idle (2026-12-05).
BACKGROUND_NICE = 10


class _Background:
    """A fixture's slow set-up (its own tiny `ccw run` and the steps around it), run in a thread from session start
    when a selected test uses the fixture: the child processes it waits for use the core the foreground tests leave
    idle (pytest alone kept 1.25 of the 2 cores busy). The fixture then only waits for the result. The thread runs at
    ``nice`` (Linux: a per-thread value, inherited by the processes it starts)."""

    def __init__(self, build: Callable[[Path], Any], nice: int = BACKGROUND_NICE) -> None:
        self.build = build
        self.nice = nice
        self.thread: threading.Thread | None = None
        self.value: Any = None
        self.error: BaseException | None = None
        self.seconds: float | None = None

    def start(self, base: Path) -> None:
        self.thread = threading.Thread(target=self._run, args=(base,), name=self.build.__name__, daemon=True)
        self.thread.start()

    def _run(self, base: Path) -> None:
        started = time.perf_counter()
        if self.nice and threading.current_thread() is not threading.main_thread():
            thread = threading.get_native_id()
            with contextlib.suppress(OSError):  # this thread only (and what it starts), not the test process
                os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + self.nice)
        try:
            self.value = self.build(base)
        except BaseException as exc:  # re-raised in the fixture, so the test that needs it reports it
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started

    def result(self, factory: pytest.TempPathFactory, timeout: float = 1800) -> Any:
        if self.thread is None:  # selected by a fixture pytest found late: build it now, in the foreground
            self._run(factory.mktemp(self.build.__name__))
        else:
            self.thread.join(timeout)
            if self.thread.is_alive():
                raise TimeoutError(f"{self.build.__name__} still running after {timeout:.0f} s")
        if self.error is not None:
            raise self.error
        return self.value


_BACKGROUND: dict[str, _Background] = {}


def built_in_background(fixture_name: str, nice: int = BACKGROUND_NICE,
                        ) -> Callable[[Callable[[Path], Any]], Callable[[Path], Any]]:
    """Register ``build(base_folder)`` as the set-up of fixture ``fixture_name``, started at session start when a
    selected test uses that fixture, at CPU priority ``nice`` (0: the foreground's); the fixture returns
    ``background_result(fixture_name, tmp_path_factory)``."""
    def register(build: Callable[[Path], Any]) -> Callable[[Path], Any]:
        _BACKGROUND[fixture_name] = _Background(build, nice)
        return build
    return register


def background_result(fixture_name: str, factory: pytest.TempPathFactory) -> Any:
    return _BACKGROUND[fixture_name].result(factory)


def in_own_process(build: Callable[[Path], Any], base: Path) -> Any:
    """``build(base)`` in a spawned child process, for a background set-up that would otherwise run landing or
    generation in this process: there it shares module state with the foreground tests (a test's monkeypatch of a
    landing function once recorded the background landing's files) and the foreground's interpreter lock.
    ``build`` must be importable by name, its result picklable."""
    from ccw.spark import in_child  # a fresh process, not Spark: ccw.spark only holds the helper

    return in_child(build, base)


#: background set-ups that may end after the shared run: their tests go after the shared run's, which then run while
#: these still build instead of after them (at a71d741 the Spark chain ended about 140 s after the shared run in a
#: clean-clone `make test`, and the shared run's tests then took about 210 s more on their own)
LAST_BACKGROUND = {"spark_build"}


#: background set-ups that end within the first minute or so, whose tests then do their own work (Spark jobs in the
#: session it started): their tests go with those that need no set-up, not last with one core idle (at 9eec6cc the
#: tests on the Spark session ran 35 s after every background set-up had ended)
EARLY_BACKGROUND = {"spark_env"}


def _order(item: pytest.Item) -> int:
    """0: tests with no slow set-up (or one of ``EARLY_BACKGROUND``); 1: tests on the shared run (the heaviest of
    those that wait for a set-up: done before the background ends, they leave no one-core tail); 2: tests on a
    background set-up; 3: tests on a set-up of ``LAST_BACKGROUND``."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if LAST_BACKGROUND & fixtures:
        return 3
    if _uses_shared_run(item):
        return 1
    return 2 if (set(_BACKGROUND) - EARLY_BACKGROUND) & fixtures else 0


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests with no set-up, then tests on the shared run, then tests on a background set-up, the longest set-ups last
    (stable order otherwise), so the foreground runs its own tests while the background builds; the runs start now if
    a selected test needs them."""
    items.sort(key=_order)
    if config.getoption("collectonly"):
        return
    factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
    if any(_uses_shared_run(item) for item in items):
        _SHARED.start(factory.mktemp(f"pipeline_{PRESET}"))
    used = {name for item in items for name in getattr(item, "fixturenames", ())}
    for name, background in _BACKGROUND.items():
        if name in used:
            background.start(factory.mktemp(name))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SHARED.process is not None and _SHARED.process.poll() is None:  # interrupted session: no orphan build
        _SHARED.process.kill()
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


_EXIT_STATUS = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How long each background set-up took (wall seconds from its start), beside pytest's --durations: the
    figures that decide what to merge or move when `make test` nears its 10-minute budget."""
    timings = [(name, background.seconds) for name, background in _BACKGROUND.items() if background.seconds]
    if _SHARED.seconds is not None:
        timings.append(("pipeline_run (shared `ccw run`)", _SHARED.seconds))
    if timings:
        terminalreporter.write_sep("=", "background set-ups (wall seconds)")
        for name, seconds in sorted(timings, key=lambda timing: -(timing[1] or 0)):
            terminalreporter.write_line(f"{seconds:8.1f} s  {name}")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process the way `ccw` ends (``ccw.cli.entry``): after every plugin has written its reports and
    caches, exit with pytest's status and skip the interpreter's teardown. DuckDB 2.0's Python module (nanobind)
    prints dozens of "nanobind: leaked ..." lines at teardown while library caches (GX's data sources, SQLAlchemy's
    pools, pandas) still hold DuckDB objects: noise after a green run, not a fault (every connection the tests
    open is closed). CCW_TEST_FULL_TEARDOWN=1 keeps the normal teardown, to look at those lines."""
    status = config.stash.get(_EXIT_STATUS, None)
    if status is None or os.environ.get("CCW_TEST_FULL_TEARDOWN") == "1":
        return
    import gc

    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


@pytest.fixture(scope="session")
def pipeline_run() -> PipelineRun:
    run = _SHARED.wait()
    print(f"\nshared pipeline run ({PRESET} preset): exit {run.returncode} in {run.seconds:.0f} s")
    return run


@pytest.fixture(scope="session")
def built_sample(pipeline_run: PipelineRun) -> PipelineRun:
    """The shared run, asserted successful (tests that only read its results use this one)."""
    assert pipeline_run.returncode == 0, pipeline_run.output[-6000:]
    return pipeline_run


@pytest.fixture(scope="session")
def semantic_layer(built_sample: PipelineRun) -> Iterator[Any]:
    """MetricFlow (ccw.metrics.SemanticLayer, what `ccw metrics query` runs) on the shared run's serving file,
    read-only, with the semantic manifest its dbt build wrote: one MetricFlow start-up for the whole session."""
    pytest.importorskip("metricflow", reason="dbt-metricflow is not installed (pyproject.toml dependency): make setup")
    from ccw.metrics import SemanticLayer

    layer = SemanticLayer(warehouse=built_sample.warehouse,
                          manifest_path=built_sample.build_warehouse.parent / "dbt_target" / "semantic_manifest.json")
    yield layer
    layer.close()


@dataclass
class FaultyTinyRun:
    """One `ccw run` of a tiny sample with PII seeded into every source's latest files (test_pii_everywhere), files
    landing must refuse or list (test_land_paths), a queue no seed configures (test_unconfigured_queues) and an
    agent-events file the raw gates must set aside whole (test_quality_pipeline): four scenarios, one build, to keep
    `make test` short."""

    data: Path
    needles: Any  # test_pii_everywhere.Needles
    returncode: int
    output: str
    seconds: float
    renamed_queue: Any = None  # test_unconfigured_queues.RenamedQueue
    untrusted: Any = None  # test_quality_pipeline.BrokenFile


@built_in_background("faulty_tiny_run")
def build_faulty_tiny_run(base: Path) -> FaultyTinyRun:
    from test_land_paths import plant_files_landing_refuses
    from test_pii_everywhere import seed_pii
    from test_quality_pipeline import break_agent_events_file
    from test_unconfigured_queues import rename_queue

    data = base / "data"
    generated = run_ccw(data, "generate", "--preset", "tiny")
    assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
    renamed_queue = rename_queue(data / "raw")
    untrusted = break_agent_events_file(data / "raw")
    needles = seed_pii(data / "raw")
    plant_files_landing_refuses(data, base)
    started = time.perf_counter()
    result = run_ccw(data, "run")
    return FaultyTinyRun(data=data, needles=needles, returncode=result.returncode,
                         output=result.stdout + result.stderr, seconds=time.perf_counter() - started,
                         renamed_queue=renamed_queue, untrusted=untrusted)


@pytest.fixture(scope="session")
def faulty_tiny_run(tmp_path_factory: pytest.TempPathFactory) -> FaultyTinyRun:
    return background_result("faulty_tiny_run", tmp_path_factory)
