"""dbt's threads (ccw.build.auto_dbt_threads, profiles.yml): one thread for a large build file, two for a small or
missing one, CCW_DBT_THREADS above both."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

from ccw.build import AUTO_THREADS_ENV, ONE_THREAD_FROM_BYTES, auto_dbt_threads
from conftest import ROOT


def test_a_large_build_file_builds_with_one_thread(tmp_path: Path) -> None:
    large, small = tmp_path / "large.duckdb", tmp_path / "small.duckdb"
    with large.open("wb") as handle:  # sparse: the size without the disk
        handle.truncate(ONE_THREAD_FROM_BYTES)
    with small.open("wb") as handle:
        handle.truncate(ONE_THREAD_FROM_BYTES - 1)
    assert auto_dbt_threads(large) == "1"
    assert auto_dbt_threads(small) == "2"
    assert auto_dbt_threads(tmp_path / "missing.duckdb") == "2"


def _profile_threads(env: dict[str, str]) -> str:
    """The DuckDB target's threads of profiles.yml rendered with ``env`` as the environment."""
    text = yaml.safe_load((ROOT / "profiles.yml").read_text(encoding="utf-8"))
    template = text["contact_center"]["outputs"]["dev"]["threads"]
    environment = jinja2.Environment()
    environment.filters["as_number"] = lambda value: value
    return environment.from_string(template).render(env_var=lambda name, default=None: env.get(name, default))


@pytest.mark.parametrize(("env", "threads"), [
    ({}, "2"),
    ({AUTO_THREADS_ENV: "1"}, "1"),
    ({AUTO_THREADS_ENV: "1", "CCW_DBT_THREADS": "4"}, "4"),
])
def test_ccw_dbt_threads_wins_over_the_size_rule(env: dict[str, str], threads: str) -> None:
    assert _profile_threads(env) == threads
