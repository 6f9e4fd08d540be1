"""The committed GX project (expectations/) is what the rule specifications write, and reads as GX stores it."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

from ccw.exports import ENTITIES
from ccw.quality import mart_rules, project

COMMITTED = project.PROJECT_DIR


def _files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and project.UNCOMMITTED not in p.relative_to(root).parts and p.name != ".gitignore"
    }


def test_committed_project_is_in_sync_with_the_rule_specifications(tmp_path: Path) -> None:
    written = project.sync(tmp_path / "expectations")
    assert _files(written) == _files(COMMITTED), "run `.venv/bin/python -m ccw.quality sync` and commit"
    differing = [name for name in sorted(_files(written)) if not filecmp.cmp(written / name, COMMITTED / name,
                                                                              shallow=False)]
    assert differing == [], f"run `.venv/bin/python -m ccw.quality sync` and commit: {differing}"


def test_every_expectation_has_a_severity_rule_and_kind() -> None:
    suites = sorted((COMMITTED / "expectations").rglob("*.json"))
    assert len(suites) == len(ENTITIES) + len(mart_rules.SPECS)  # one per raw table, one per gated mart (4)
    for path in suites:
        suite = json.loads(path.read_text(encoding="utf-8"))
        rules = [e["meta"]["rule"] for e in suite["expectations"]]
        assert len(rules) == len(set(rules)), path.name
        for expectation in suite["expectations"]:
            assert expectation["severity"] in ("critical", "warning"), (path.name, expectation["meta"])
            assert expectation["meta"]["kind"] in ("schema", "row", "file", "table")


def test_checkpoints_list_every_suite_and_results_go_outside_the_project() -> None:
    raw = json.loads((COMMITTED / "checkpoints" / f"{project.RAW_CHECKPOINT}.json").read_text(encoding="utf-8"))
    marts = json.loads((COMMITTED / "checkpoints" / f"{project.MART_CHECKPOINT}.json").read_text(encoding="utf-8"))
    assert len(raw["validation_definitions"]) == len(ENTITIES)
    assert len(marts["validation_definitions"]) == len(mart_rules.SPECS) == 4
    config = (COMMITTED / "great_expectations.yml").read_text(encoding="utf-8")
    assert "base_directory: $CCW_QUALITY_DIR/validations/" in config
    assert "base_directory: $CCW_QUALITY_DIR/data_docs/" in config
    assert "connection_string: duckdb+ccw_buffered:///${CCW_QUALITY_WAREHOUSE}" in config
    assert "analytics_enabled: false" in config


def test_raw_suites_use_gx_builtins_for_the_column_set_and_row_count() -> None:
    """GX's own expectations where one says what the rule says; every other raw rule is custom SQL, for the reasons
    ccw.quality.raw_rules gives (pinned by test_quality_builtins.py)."""
    for path in sorted((COMMITTED / "expectations" / "raw").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        types = {e["meta"]["rule"]: e["type"] for e in suite["expectations"]}
        assert types.pop("columns_match_registry") == "expect_table_columns_to_match_set", path.name
        assert types.pop("has_rows") == "expect_table_row_count_to_be_between", path.name
        assert set(types.values()) == {"expect_no_failing_rows"}, path.name
