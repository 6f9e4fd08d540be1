"""Shared fixtures: the whole pipeline run once per test session on the default sample.

Building the default sample takes a few minutes, so every test that needs a built warehouse (KPIs vs. raw, gates
on the clean sample, publishing, the report, the Dagster run) reads the outputs of this one run instead of building
its own. Tests that must break something build their own small warehouse.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CCW = Path(sys.executable).with_name("ccw")
#: the preset of the shared run; CCW_TEST_PRESET=tiny makes a quick local iteration possible
PRESET = os.environ.get("CCW_TEST_PRESET", "default")


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


def pipeline_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCW_")}
    env.update({
        "CCW_DATA_DIR": str(data_dir),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    return env


def run_ccw(data_dir: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """`ccw <args>` in a child process against ``data_dir`` (an in-process dbt would keep DuckDB files open)."""
    return subprocess.run(
        [str(CCW), *args], cwd=ROOT, env=pipeline_env(data_dir), capture_output=True, text=True, timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    data_dir = tmp_path_factory.mktemp(f"pipeline_{PRESET}")
    started = time.perf_counter()
    result = run_ccw(data_dir, "run", "--preset", PRESET)
    run = PipelineRun(
        data_dir=data_dir,
        raw_root=data_dir / "raw",
        warehouse=data_dir / "warehouse.duckdb",
        build_warehouse=data_dir / "build" / "warehouse.duckdb",
        output=result.stdout + result.stderr,
        returncode=result.returncode,
        seconds=time.perf_counter() - started,
    )
    print(f"\nshared pipeline run ({PRESET} preset): exit {run.returncode} in {run.seconds:.0f} s")
    return run


@pytest.fixture(scope="session")
def built_sample(pipeline_run: PipelineRun) -> PipelineRun:
    """The shared run, asserted successful (tests that only read its results use this one)."""
    assert pipeline_run.returncode == 0, pipeline_run.output[-6000:]
    return pipeline_run
