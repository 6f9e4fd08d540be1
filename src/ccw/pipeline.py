"""The whole pipeline on the built-in sample: generate (if needed), then the Dagster daily job in-process.

``ccw run`` and the scheduled run are one code path: :func:`ccw_orchestration.run.run_sample` materialises the
daily job (land -> raw gates -> dbt build -> mart gates -> publish -> report) for the latest export day; landing
takes every new or changed file and dbt rebuilds the whole history.
"""

from __future__ import annotations

from pathlib import Path

from ccw.config import settings


def has_exports(raw_root: Path) -> bool:
    return raw_root.exists() and any(p.is_file() for p in raw_root.rglob("*.*"))


def run_pipeline(preset: str = "default", seed: int | None = None) -> int:
    s = settings()
    if not has_exports(s.raw_root):
        from ccw.generate import GeneratorConfig, generate

        print(f"No exports under {s.raw_root}: generating the '{preset}' sample.", flush=True)
        generate(GeneratorConfig.preset(preset, seed=seed), s.raw_root)

    from ccw_orchestration.run import run_sample

    return run_sample()
