"""Whether the dbt unit tests already passed on this very project, so that a daily build can leave them out.

A dbt unit test checks a model's SQL on fixed input rows; it reads none of the warehouse's data. Run every day on
unchanged code it can only give the answer it gave yesterday (dbt's own advice is to run them in development and CI
and to exclude them in production). Here they run whenever the project changed: the first build of a build folder,
and every build after a change to a model, seed, macro, unit test or dbt's version. A successful full build records
the project's signature beside the build file; the next build with the same signature excludes the unit tests
(``--exclude-resource-type unit_test``) and says so in the run's log. At the scale preset that is 24-28 s of a daily
build (docs/performance.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATE_FILE = "unit_tests_passed.json"
#: the node kinds whose code or data a unit test reads (a unit test's model and the inputs it mocks)
CODE_NODES = ("model", "seed", "snapshot")
UNIT_TEST_FIELDS = ("model", "given", "expect", "overrides", "config", "versions")


def project_signature(manifest: Mapping[str, Any]) -> str:
    """sha256 of what decides a unit test's outcome: each model's and seed's code checksum and config, every macro's
    SQL, every unit test's definition and dbt's version. Paths and parse times are left out."""
    nodes = {
        uid: [node.get("checksum", {}).get("checksum"), node.get("config")]
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") in CODE_NODES
    }
    macros = {uid: macro.get("macro_sql") for uid, macro in manifest.get("macros", {}).items()}
    unit_tests = {
        uid: {field: test.get(field) for field in UNIT_TEST_FIELDS}
        for uid, test in manifest.get("unit_tests", {}).items()
    }
    payload = {
        "dbt_version": manifest.get("metadata", {}).get("dbt_version"),
        "nodes": nodes,
        "macros": macros,
        "unit_tests": unit_tests,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_path(build_file: Path) -> Path:
    return build_file.parent / STATE_FILE


def passed_at(build_file: Path, signature: str) -> str | None:
    """When the unit tests last passed on a project with this signature, for this build file (None: never, another
    project, or an unreadable record)."""
    path = state_path(build_file)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("signature") != signature:
        return None
    return str(state.get("passed_at") or "")


def record_passed(build_file: Path, signature: str, unit_tests: int) -> None:
    """Record that every unit test passed on the project with this signature (written atomically)."""
    path = state_path(build_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "signature": signature,
        "unit_tests": unit_tests,
        "passed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)

