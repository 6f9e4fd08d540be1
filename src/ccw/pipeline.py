"""The whole pipeline on the built-in sample: generate (if needed), then the Dagster daily job in-process.

``ccw run`` and the scheduled run are one code path: :func:`ccw_orchestration.run.run_sample` materialises the
daily job (land -> raw gates -> dbt build -> mart gates -> publish -> report) for the latest export day; landing
takes every new or changed file and dbt rebuilds the whole history. ``ccw.cli`` holds the data folder's run lock
around it (``ccw.runlock``).
"""

from __future__ import annotations

from pathlib import Path

from ccw.config import settings


def has_exports(raw_root: Path) -> bool:
    """True when anything lies under the raw root (even what landing refuses): the sample is generated only
    into an empty or missing raw root, never beside an operator's files. Links are never followed."""
    from ccw.land.paths import scan

    found = scan(raw_root)
    return bool(found.files or found.refused)


def ensure_sample(raw_root: Path, preset: str = "default", seed: int | None = None, progress: bool = True) -> bool:
    """Generate the built-in sample ``preset`` into ``raw_root`` when it holds no exports (``has_exports``); True
    when it generated."""
    if has_exports(raw_root):
        return False
    from ccw.generate import GeneratorConfig, generate

    if progress:
        print(f"No exports under {raw_root}: generating the '{preset}' sample.", flush=True)
    generate(GeneratorConfig.preset(preset, seed=seed), raw_root, progress=progress)
    return True


def run_pipeline(preset: str = "default", seed: int | None = None) -> int:
    ensure_sample(settings().raw_root, preset, seed)
    from ccw.project_parse import ensure_project_parsed

    ensure_project_parsed()  # the code location reads the project's manifest when it loads

    from ccw_orchestration.run import run_sample

    return run_sample()
