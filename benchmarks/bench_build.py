"""Warehouse build benchmark: land a preset's exports and time the full `dbt build`, per layer.

    .venv/bin/python benchmarks/bench_build.py [--preset scale] [--dir /tmp/ccw-bench] [--memory-limit 12GB]
                                               [--threads 1]

Generates the preset under <dir>/raw if it is not there yet, lands it, then runs ONE `dbt build` of the whole
project (seeds, every model and every test, in dependency order: the real build, not layer by layer, because
analysis models read marts). From dbt's run_results.json it prints, per layer (seeds, staging, intermediate, marts;
a test counts in the latest layer it reads), the wall span, the summed node time and the node count, then the
slowest nodes, and the peak resident memory of this process (DuckDB runs in-process, so that is the build's memory),
and the build file's size after each step (DuckDB reuses the space of a replaced table after a checkpoint, so a
second build should not grow the file by a whole generation).

--incremental measures a daily build too: the latest export day's raw rows are held back, the full rebuild
(--full-refresh) runs over the other days, then the held-back rows are landed again (new _landed_at, as a new
day's files would be) and an incremental `dbt build` runs: incremental staging tables read only that day, every
other model is rebuilt.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

LAYERS = ("seeds", "staging", "intermediate", "marts")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _layer_of(node: dict, nodes: dict) -> str:
    """The layer a node belongs to: its folder for seeds and models; for a test, the latest layer of the nodes it
    reads."""
    if node["resource_type"] == "seed":
        return "seeds"
    if node["resource_type"] == "model":
        parts = Path(node["original_file_path"]).parts
        return parts[1] if len(parts) > 2 and parts[1] in LAYERS else "marts"
    parents = [nodes[p] for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]
    layers = [_layer_of(p, nodes) for p in parents] or ["marts"]
    return max(layers, key=LAYERS.index)


def _stamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def layer_report(target: Path) -> list[str]:
    """Per-layer wall span, summed node time and node count from the last build's run_results.json."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    spans: dict[str, list[float]] = defaultdict(list)
    summed: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    failed = []
    for result in results:
        node = nodes.get(result["unique_id"])
        layer = _layer_of(node, nodes) if node else "marts"
        summed[layer] += result["execution_time"]
        counts[layer] += 1
        for timing in result.get("timing", []):
            if timing.get("started_at") and timing.get("completed_at"):
                spans[layer] += [_stamp(timing["started_at"]), _stamp(timing["completed_at"])]
        if result["status"] not in ("success", "pass"):
            failed.append(f"{result['unique_id']}: {result['status']}")
    lines = [f"  {'layer':<13} {'wall span':>10} {'node time':>10} {'nodes':>6}"]
    for layer in LAYERS:
        if counts[layer]:
            span = max(spans[layer]) - min(spans[layer]) if spans[layer] else 0.0
            lines.append(f"  {layer:<13} {span:9.1f}s {summed[layer]:9.1f}s {counts[layer]:6d}")
    by_type: dict[str, list[float]] = defaultdict(list)
    for result in results:
        by_type[result["unique_id"].split(".")[0]].append(result["execution_time"])
    lines.append(
        "  by kind: " + ", ".join(f"{kind} {sum(times):.1f}s ({len(times)})" for kind, times in sorted(by_type.items()))
    )
    lines.append("  slowest nodes:")
    for result in sorted(results, key=lambda r: -r["execution_time"])[:15]:
        lines.append(f"    {result['execution_time']:7.1f} s  {result['unique_id']}")
    if failed:
        lines.append(f"  NOT OK ({len(failed)}): " + "; ".join(failed[:10]))
    return lines


def _raw_tables(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.columns where table_schema = 'raw' "
            "and column_name = '_export_date' order by 1"
        ).fetchall()
    ]


def _hold_back_latest_day(warehouse: Path) -> str:
    """Move the latest export day's raw rows (every source) to schema bench_holdback."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    tables = _raw_tables(con)
    latest = max(con.execute(f"select max(_export_date) from raw.{t}").fetchone()[0] for t in tables)
    con.execute("create schema if not exists bench_holdback")
    for table in tables:
        con.execute(
            f"create or replace table bench_holdback.{table} as select * from raw.{table} where _export_date = ?",
            [latest],
        )
        con.execute(f"delete from raw.{table} where _export_date = ?", [latest])
    con.close()
    return str(latest)


def _land_held_back(warehouse: Path) -> None:
    """Put the held-back rows back into raw with a new _landed_at, as landing the new day's files would."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    for table in _raw_tables(con):
        con.execute(
            f"insert into raw.{table} by name "
            f"select * replace (current_timestamp::timestamp as _landed_at) from bench_holdback.{table}"
        )
    con.execute("drop schema bench_holdback cascade")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--preset", default="scale")
    parser.add_argument("--dir", default="/tmp/ccw-bench")
    parser.add_argument("--memory-limit", default="12GB")
    parser.add_argument("--threads", type=int, default=None, help="dbt threads (default: the profile's)")
    parser.add_argument("--incremental", action="store_true", help="also time a daily incremental build")
    args = parser.parse_args()

    os.environ["CCW_DATA_DIR"] = str(Path(args.dir).resolve())
    os.environ["CCW_MEMORY_LIMIT"] = args.memory_limit
    if args.threads:
        os.environ["CCW_DBT_THREADS"] = str(args.threads)

    from ccw.build import dbt_target_path, run_dbt
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
        size = s.build_warehouse.stat().st_size / 1e9 if s.build_warehouse.exists() else 0.0
        print(
            f"[bench] {name:<28} {timings[-1][1]:8.1f} s  ok={ok}  peak RSS {_peak_mb():,.0f} MB  "
            f"build file {size:,.1f} GB",
            flush=True,
        )
        return ok

    if not has_exports(s.raw_root):
        from ccw.generate import GeneratorConfig, generate

        step("generate " + args.preset, lambda: generate(GeneratorConfig.preset(args.preset), s.raw_root) or True)
    step("land", lambda: land_all(s.raw_root, s.build_warehouse).ok or True)
    if args.incremental:
        held = _hold_back_latest_day(s.build_warehouse)
        print(f"[bench] held back export day {held}", flush=True)
    step("dbt build --full-refresh", lambda: run_dbt(["build", "--full-refresh"]))
    reports = [("full rebuild", layer_report(dbt_target_path()))]
    if args.incremental:
        _land_held_back(s.build_warehouse)
        step("dbt build (incremental)", lambda: run_dbt(["build"]))
        reports.append(("incremental daily build", layer_report(dbt_target_path())))

    import duckdb

    con = duckdb.connect(str(s.build_warehouse), read_only=True)
    layers = rows_per_layer(con)
    con.close()
    print("\n[bench] summary")
    print(
        f"  preset {args.preset}, DuckDB memory limit {args.memory_limit}, dbt threads "
        f"{os.environ.get('CCW_DBT_THREADS', 'profile default')}, warehouse {s.build_warehouse}"
    )
    for name, t, ok in timings:
        print(f"  {name:<28} {t:8.1f} s  {'ok' if ok else 'FAILED'}")
    for title, lines in reports:
        print(f"  -- {title}")
        print("\n".join(lines))
    for schema, (n, rows) in layers.items():
        print(f"  {schema:<13} {n:>3} relations {rows:>14,} rows")
    print(f"  peak RSS                    {_peak_mb():8,.0f} MB")


if __name__ == "__main__":
    main()
