"""When the daily dbt build leaves the unit tests out: only when they passed on the very same project for this build
file. Hand-made manifests: each kind of change must change the signature; what does not change a unit test's outcome
(paths, parse time) must not."""

import copy
import json
from pathlib import Path

import pytest

from ccw_orchestration.assets import unit_test_state as state

MANIFEST = {
    "metadata": {"dbt_version": "1.11.16", "generated_at": "2026-12-06T09:00:00Z", "invocation_id": "a"},
    "nodes": {
        "model.p.fct": {"resource_type": "model", "checksum": {"name": "sha256", "checksum": "c1"},
                        "config": {"materialized": "table"}, "root_path": "/clone/one"},
        "seed.p.queues": {"resource_type": "seed", "checksum": {"name": "sha256", "checksum": "s1"}, "config": {}},
        "test.p.not_null_fct_id": {"resource_type": "test", "checksum": {"name": "none", "checksum": ""},
                                   "config": {"severity": "error"}},
    },
    "macros": {"macro.p.ratio": {"macro_sql": "{% macro ratio(a, b) %}{{ a }} / {{ b }}{% endmacro %}"}},
    "unit_tests": {"unit_test.p.fct.fct_counts": {
        "model": "fct", "given": [{"input": "ref('stg')", "rows": [{"id": 1}]}], "expect": {"rows": [{"n": 1}]},
        "overrides": None, "config": {}, "original_file_path": "models/_fct.yml"}},
}


def _changed(path: tuple[str, ...], value: object) -> dict:
    manifest = copy.deepcopy(MANIFEST)
    target = manifest
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return manifest


@pytest.mark.parametrize("path, value", [
    (("nodes", "model.p.fct", "checksum", "checksum"), "c2"),  # a model's SQL
    (("nodes", "model.p.fct", "config", "materialized"), "incremental"),  # its config
    (("nodes", "seed.p.queues", "checksum", "checksum"), "s2"),  # a seed's rows
    (("macros", "macro.p.ratio", "macro_sql"), "{% macro ratio(a, b) %}{{ a }} / nullif({{ b }}, 0){% endmacro %}"),
    (("unit_tests", "unit_test.p.fct.fct_counts", "expect"), {"rows": [{"n": 2}]}),  # a unit test's expectation
    (("unit_tests", "unit_test.p.fct.fct_counts", "given"), []),  # its inputs
    (("metadata", "dbt_version"), "1.11.17"),  # another dbt
])
def test_every_change_a_unit_test_can_see_changes_the_signature(path: tuple[str, ...], value: object) -> None:
    assert state.project_signature(_changed(path, value)) != state.project_signature(MANIFEST)


@pytest.mark.parametrize("path, value", [
    (("metadata", "generated_at"), "2026-12-07T09:00:00Z"),  # parsed again
    (("metadata", "invocation_id"), "b"),
    (("nodes", "model.p.fct", "root_path"), "/clone/two"),  # another clone of the same commit
    (("nodes", "test.p.not_null_fct_id", "config", "severity"), "warn"),  # a data test: it runs every build anyway
    (("unit_tests", "unit_test.p.fct.fct_counts", "original_file_path"), "models/_fct_tests.yml"),  # moved
])
def test_what_a_unit_test_cannot_see_leaves_the_signature(path: tuple[str, ...], value: object) -> None:
    assert state.project_signature(_changed(path, value)) == state.project_signature(MANIFEST)


def test_a_record_holds_for_its_signature_and_build_folder_only(tmp_path: Path) -> None:
    build = tmp_path / "build" / "warehouse.duckdb"
    signature = state.project_signature(MANIFEST)
    assert state.passed_at(build, signature) is None  # a new build folder: the unit tests run
    state.record_passed(build, signature, unit_tests=1)
    recorded = json.loads(state.state_path(build).read_text(encoding="utf-8"))
    assert recorded["signature"] == signature and recorded["unit_tests"] == 1
    assert state.passed_at(build, signature) == recorded["passed_at"]
    changed = state.project_signature(_changed(("nodes", "model.p.fct", "checksum", "checksum"), "c2"))
    assert state.passed_at(build, changed) is None  # the project changed: they run again
    assert state.passed_at(tmp_path / "other" / "warehouse.duckdb", signature) is None


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"passed_at": "2026-12-06T09:00:00+00:00"}'])
def test_an_unreadable_or_foreign_record_runs_the_unit_tests(tmp_path: Path, content: str) -> None:
    build = tmp_path / "warehouse.duckdb"
    state.state_path(build).write_text(content, encoding="utf-8")
    assert state.passed_at(build, state.project_signature(MANIFEST)) is None
