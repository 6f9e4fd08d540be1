"""The whole pipeline on the built-in sample: generate (if needed) -> land -> build -> summarise."""

from __future__ import annotations

import sys
from pathlib import Path

from ccw.config import settings


def has_exports(raw_root: Path) -> bool:
    return raw_root.exists() and any(p.is_file() for p in raw_root.rglob("*.*"))


def run_pipeline(preset: str = "default", seed: int | None = None) -> int:
    from ccw.build import build_warehouse
    from ccw.land import land_all
    from ccw.summary import render

    s = settings()
    if not has_exports(s.raw_root):
        from ccw.generate import GeneratorConfig, generate

        print(f"No exports under {s.raw_root}: generating the '{preset}' sample.", flush=True)
        generate(GeneratorConfig.preset(preset, seed=seed), s.raw_root)

    report = land_all(s.raw_root, s.build_warehouse)
    print(report.render(), flush=True)
    if report.quarantined:
        print(f"WARNING: {len(report.quarantined)} file(s) quarantined (see above); the rest landed.", flush=True)

    from ccw.quality import run_mart_gates, run_raw_gates

    raw_gates = run_raw_gates(s.build_warehouse, s.data_dir)
    print(raw_gates.render(), flush=True)
    if not raw_gates.ok:
        print("Raw quality gates failed (see above): nothing was built or published.", file=sys.stderr)
        return 1

    if not build_warehouse():
        print("dbt build failed: see the messages above.", file=sys.stderr)
        return 1

    mart_gates = run_mart_gates(s.build_warehouse, s.data_dir)
    print(mart_gates.render(), flush=True)
    if not mart_gates.ok:
        print("Mart quality gates failed (see above): nothing was published.", file=sys.stderr)
        return 1
    print(render(s.build_warehouse))
    return 0
