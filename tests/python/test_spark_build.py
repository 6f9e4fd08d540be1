"""Issue 20's done-when inside `make test`: the tiny preset built on DuckDB and on Spark, every table compared.

`scripts/spark_check.py` runs in the background from session start (its own data folder: generate, land, the
DuckDB build, the Spark build with the Python models, the unit tests whose fixtures need Spark macros, then
`spark_equivalence.py --require-all`). `make test` installs Java and the `spark` extra first (Makefile); without
them the test skips and says why, and `make spark-check` runs the same check alone.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, background_result, built_in_background

SCRIPT = ROOT / "scripts" / "spark_check.py"
STEP = re.compile(r"^\[spark-check\] (?P<name>.+?)\s+(?P<wall>[0-9.]+) s\s+CPU\s+(?P<cpu>[0-9.]+) s", re.M)
COMPARED = re.compile(r"^(?P<tables>\d+) tables compared in [0-9.]+ s: (?P<same>\d+) same, (?P<failed>\d+) failed",
                      re.M)


def missing_engine() -> str | None:
    """Why Spark cannot run here, or None."""
    if shutil.which("java") is None:
        return "no `java` on PATH (Debian's openjdk-17-jre-headless: `make test` installs it when apt can)"
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "the `spark` extra (pyspark, dbt-spark) is not installed: `make test` installs it"
    return None


@dataclass
class SparkCheck:
    skipped: str | None
    folder: Path | None = None
    returncode: int = 0
    output: str = ""

    def table_models(self) -> list[str]:
        """The models that are tables on DuckDB (incremental ones included; views are not compared), from the
        DuckDB build's manifest."""
        assert self.folder is not None
        manifest = json.loads((self.folder / "target_duckdb" / "manifest.json").read_text(encoding="utf-8"))
        return sorted(node["name"] for node in manifest["nodes"].values()
                      if node["resource_type"] == "model" and node["config"]["materialized"] != "view")


@built_in_background("spark_check")
def run_spark_check(base: Path) -> SparkCheck:
    reason = missing_engine()
    if reason is not None:
        return SparkCheck(skipped=reason)
    folder = base / "check"
    done = subprocess.run([sys.executable, str(SCRIPT), "--dir", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1500, check=False)
    return SparkCheck(skipped=None, folder=folder, returncode=done.returncode, output=done.stdout + done.stderr)


@pytest.fixture(scope="module")
def spark_check(tmp_path_factory: pytest.TempPathFactory) -> SparkCheck:
    check = background_result("spark_check", tmp_path_factory)
    if check.skipped:
        print(f"SKIPPED the Spark build: {check.skipped}")
        pytest.skip(check.skipped)
    return check


def test_every_table_of_the_tiny_preset_is_the_same_on_spark_and_duckdb(spark_check: SparkCheck) -> None:
    steps = {m["name"]: (float(m["wall"]), float(m["cpu"])) for m in STEP.finditer(spark_check.output)}
    print("\n".join(f"{name:<28} {wall:7.1f} s wall {cpu:7.1f} s CPU" for name, (wall, cpu) in steps.items()))
    assert spark_check.returncode == 0, spark_check.output[-6000:]
    compared = COMPARED.search(spark_check.output)
    assert compared is not None, spark_check.output[-3000:]
    # every table model of the project, Python models included, on both engines: none missing, none different
    assert int(compared["failed"]) == 0
    assert int(compared["same"]) == int(compared["tables"]) == len(spark_check.table_models()), compared.group(0)
    assert "the engines agree" in spark_check.output
