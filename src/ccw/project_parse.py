"""The dbt project's own parse (``target/manifest.json``), which the Dagster code location reads at start.

``make run`` and ``make setup`` parse the project again when a project file changed (a Makefile dependency); ``ccw
run`` called directly after adding a model loaded a manifest without it, and the dbt step failed with ``KeyError:
'model.contact_center.<model>'``. :func:`ensure_project_parsed` parses first when a project file is newer than the
manifest, the way the Makefile does, under a lock so that concurrent runs parse once.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from ccw.config import PROJECT_ROOT

#: what dbt reads of the project (folders and files, those that exist) and the files in them that count
PROJECT_FOLDERS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
SOURCE_SUFFIXES = frozenset({".sql", ".py", ".yml", ".yaml", ".csv", ".md", ".jinja"})


def manifest_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "target" / "manifest.json"


def _project_files(root: Path) -> Iterator[Path]:
    for name in PROJECT_FILES:
        if (root / name).is_file():
            yield root / name
    for folder in PROJECT_FOLDERS:
        for path in (root / folder).rglob("*"):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                yield path


def changed_since_parse(root: Path = PROJECT_ROOT) -> list[Path]:
    """The project files newer than the manifest (every one when there is no manifest), newest first."""
    manifest = manifest_path(root)
    parsed_at = manifest.stat().st_mtime if manifest.exists() else float("-inf")
    changed = [(p.stat().st_mtime, p) for p in _project_files(root) if p.stat().st_mtime > parsed_at]
    return [p for _, p in sorted(changed, reverse=True)]


def parse_project(root: Path = PROJECT_ROOT) -> None:
    """``dbt parse`` of the project into its own target folder, with the build file named as the Makefile names it
    (the profile is part of what partial parsing keys on)."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "CCW_DBT_DUCKDB_PATH": "warehouse.duckdb", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(
        [dbt, "parse", "--quiet", "--project-dir", str(root), "--profiles-dir", str(root),
         "--target-path", str(root / "target")],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-3000:]
        raise RuntimeError(f"dbt parse of {root} failed (exit {done.returncode}):\n{output}")


def ensure_project_parsed(root: Path = PROJECT_ROOT, parse: Callable[[Path], None] = parse_project) -> bool:
    """Parse the project when a project file changed since its manifest was written; True when it parsed."""
    if not changed_since_parse(root):
        return False
    (root / "target").mkdir(exist_ok=True)
    with (root / "target" / ".ccw-parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent run that parsed meanwhile leaves nothing to do
        changed = changed_since_parse(root)
        if not changed:
            return False
        shown = ", ".join(p.relative_to(root).as_posix() for p in changed[:3]) + (", ..." if len(changed) > 3 else "")
        print(f"The dbt project changed since its last parse ({shown}): parsing it again.", flush=True)
        parse(root)
    return True
