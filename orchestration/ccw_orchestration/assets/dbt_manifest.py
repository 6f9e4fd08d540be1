"""The dbt manifest as Dagster reads it, with every singular test attached to one asset.

dagster-dbt turns a test into an asset check when it knows the test's asset: a generic test's attached node, or
a singular test's only dependency. A singular test reading several relations (a reconciliation) would only be
logged as an observation and be missing from the checks. Unless the test names its asset itself
(``config: meta: dagster: ref: {name: ...}``), it is attached here to its most downstream dependency (the one
built from most of the others), ties going to the relation named first in the test's name.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ASSET_TYPES = ("model", "seed", "snapshot")


def _ancestors(parent_map: Mapping[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    stack = list(parent_map.get(node, []))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(parent_map.get(parent, []))
    return seen


def attached_relation(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str | None:
    """unique_id of the relation a multi-dependency singular test is attached to (None if it has no model)."""
    deps = sorted({d for d in test["depends_on"]["nodes"] if d.split(".")[0] in ASSET_TYPES})
    if not deps:
        return None
    parent_map = manifest.get("parent_map", {})
    name = test["name"]

    def rank(dep: str) -> tuple[int, int, str]:
        covered = len(_ancestors(parent_map, dep) & set(deps))
        short = manifest["nodes"][dep]["name"]
        at = name.find(short)
        return (-covered, at if at >= 0 else len(name), dep)

    return min(deps, key=rank)


def _needs_attaching(test: Mapping[str, Any]) -> bool:
    meta = (test.get("config", {}) or {}).get("meta") or test.get("meta") or {}
    return (test["resource_type"] == "test" and not test.get("attached_node")
            and len(set(test["depends_on"]["nodes"])) > 1 and not meta.get("dagster", {}).get("ref"))


def load_manifest(path: Path) -> dict[str, Any]:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for test in manifest["nodes"].values():
        if not _needs_attaching(test):
            continue
        target = attached_relation(manifest, test)
        if target is None:
            continue
        ref = {"name": manifest["nodes"][target]["name"]}
        config = test.setdefault("config", {})
        meta = config.get("meta") or {}
        config["meta"] = {**meta, "dagster": {**meta.get("dagster", {}), "ref": ref}}
    return manifest
