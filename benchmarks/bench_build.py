"""Warehouse build benchmark: land a preset's exports and time `dbt build` per layer.

    .venv/bin/python benchmarks/bench_build.py [--preset scale] [--dir /tmp/ccw-bench] [--memory-limit 12GB]

Generates the preset under <dir>/raw if it is not there yet, lands it, then builds the dbt project
layer by layer (seeds + staging, snapshot replay, intermediate, marts), each with its tests, and
prints wall time per layer, rows per layer and the peak resident memory of this process (DuckDB
runs in-process, so that is the build's memory).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

#: a layer's build runs only the tests whose every parent is in the layer (a relationships test of a seed to an
#: intermediate model waits for the intermediate layer)
CAUTIOUS = ("--indirect-selection", "cautious")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--preset", default="scale")
    parser.add_argument("--dir", default="/tmp/ccw-bench")
    parser.add_argument("--memory-limit", default="12GB")
    args = parser.parse_args()

    os.environ["CCW_DATA_DIR"] = str(Path(args.dir).resolve())
    os.environ["CCW_MEMORY_LIMIT"] = args.memory_limit

    from ccw.build import run_dbt
    from ccw.config import settings
    from ccw.land import land_all
    from ccw.pipeline import has_exports
    from ccw.summary import rows_per_layer

    s = settings()
    timings: list[tuple[str, float, bool]] = []

    def step(name: str, fn) -> bool:
        started = time.perf_counter()
        ok = bool(fn())
        timings.append((name, time.perf_counter() - started, ok))
        print(f"[bench] {name:<28} {timings[-1][1]:8.1f} s  ok={ok}  peak RSS {_peak_mb():,.0f} MB", flush=True)
        return ok

    if not has_exports(s.raw_root):
        from ccw.generate import GeneratorConfig, generate

        step("generate " + args.preset, lambda: generate(GeneratorConfig.preset(args.preset), s.raw_root) or True)
    step("land", lambda: land_all(s.raw_root, s.build_warehouse).ok or True)
    staging = ["build", "--select", "resource_type:seed", "path:models/staging", *CAUTIOUS]
    step("seeds + staging", lambda: run_dbt(staging))
    try:
        from ccw.snapshots import replay_roster_snapshot

        step("snapshot replay", lambda: replay_roster_snapshot().ok)
    except ImportError:
        pass
    step("intermediate", lambda: run_dbt(["build", "--select", "path:models/intermediate", *CAUTIOUS]))
    step("marts", lambda: run_dbt(["build", "--select", "path:models/marts", *CAUTIOUS]))

    import duckdb

    con = duckdb.connect(str(s.build_warehouse), read_only=True)
    layers = rows_per_layer(con)
    con.close()
    total = sum(t for name, t, _ in timings if not name.startswith(("generate", "land")))
    print("\n[bench] summary")
    print(f"  preset {args.preset}, DuckDB memory limit {args.memory_limit}, warehouse {s.build_warehouse}")
    for name, t, ok in timings:
        print(f"  {name:<28} {t:8.1f} s  {'ok' if ok else 'FAILED'}")
    print(f"  dbt build total             {total:8.1f} s")
    for schema, (n, rows) in layers.items():
        print(f"  {schema:<13} {n:>3} relations {rows:>14,} rows")
    print(f"  peak RSS                    {_peak_mb():8,.0f} MB")


if __name__ == "__main__":
    main()
