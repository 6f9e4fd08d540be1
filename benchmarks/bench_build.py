"""Warehouse build benchmark: land a preset's exports and time the full `dbt build`, per layer.

    .venv/bin/python benchmarks/bench_build.py [--preset scale] [--dir /tmp/ccw-bench] [--memory-limit 10GB]
                                               [--threads 1]

Generates the preset under <dir>/raw if it is not there yet, lands it, then runs ONE `dbt build` of the whole
project (seeds, every model and every test, in dependency order: the real build, not layer by layer, because
analysis models read marts). From dbt's run_results.json it prints, per layer (seeds, staging, intermediate, marts;
a test counts in the latest layer it reads), the wall span, the summed node time and the node count, then the
slowest nodes, and the peak resident memory of this process (DuckDB runs in-process, so that is the build's memory),
and the build file's size after each step (DuckDB reuses the space of a replaced table after a checkpoint, so a
second build should not grow the file by a whole generation).

--incremental measures daily builds too, as a centre's files arrive: the latest export day's files are moved out of
the raw folder, the rest lands and ONE `dbt build --full-refresh` runs; then those files come back and land (new
attempts in the landing manifest, as a new day's files would) and an incremental `dbt build` runs (the daily
build, without the unit tests, which passed in the full build: the daily Dagster build leaves them out too); then
one export file of 20 days earlier is re-sent corrected (its last record left out), lands as a replacement, and
another incremental `dbt build` runs. Incremental staging reads what landed; the day-window models
(macros/incremental/day_window.sql) recompute the days from the earliest re-landed export day minus
late_record_days; every other model is rebuilt.

--end-to-end times each run as the daily Dagster run does it, not dbt alone: land, the raw gates (only new or
changed files), dbt, the mart gates, the publish (from the previous serving file: ccw.publish.changes) and the
report; it prints one row per run (full, a new export day, a re-sent file) with each step and the share of the full
run.
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
#: a daily build leaves out the unit tests, as the daily Dagster build does while the project is unchanged since they
#: passed in the full build (ccw_orchestration.assets.unit_test_state)
DAILY_ARGS = ("--exclude-resource-type", "unit_test")


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
        if result["status"] not in ("success", "pass", "no-op"):  # a saved query is a no-op node
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


def _export_day(path: Path) -> str:
    return path.name.split(".")[0]


def _hold_back_latest_day(raw_root: Path, holdback: Path) -> str:
    """Move the files of the latest export day out of the raw folder (kept under ``holdback``)."""
    files = [p for p in raw_root.rglob("*.*") if p.is_file()]
    latest = max(_export_day(p) for p in files)
    for path in files:
        if _export_day(path) == latest:
            target = holdback / path.relative_to(raw_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
    return latest


def _bring_back(raw_root: Path, holdback: Path) -> None:
    for path in [p for p in holdback.rglob("*.*") if p.is_file()]:
        path.rename(raw_root / path.relative_to(holdback))


def _resend_corrected(raw_root: Path, days_back: int = 20) -> Path:
    """Re-send the largest export file of ``days_back`` days before the latest day with its last record left out."""
    from datetime import date, timedelta

    files = [p for p in raw_root.rglob("*.*") if p.is_file() and p.suffix in (".jsonl", ".csv")]
    latest = date.fromisoformat(max(_export_day(p) for p in files))
    # a sample shorter than that (the tiny preset's 20 days): its first export day
    day = max((latest - timedelta(days=days_back)).isoformat(), min(_export_day(p) for p in files))
    path = max((p for p in files if _export_day(p) == day), key=lambda p: p.stat().st_size)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--preset", default="scale")
    parser.add_argument("--dir", default="/tmp/ccw-bench")
    parser.add_argument("--memory-limit", default="10GB")
    parser.add_argument("--threads", type=int, default=None, help="dbt threads (default: the profile's)")
    parser.add_argument("--incremental", action="store_true", help="also time a daily incremental build")
    parser.add_argument("--end-to-end", action="store_true",
                        help="time the gates, the publish and the report of each run too")
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
    runs: dict[str, dict[str, float]] = {}

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

    def run(title: str, land_name: str, dbt_name: str, dbt_args: list[str]) -> None:
        """One run: land and dbt, and with --end-to-end the gates, the publish and the report around them."""
        parts = runs.setdefault(title, {})
        step(land_name, lambda: land_all(s.raw_root, s.build_warehouse).ok or True)
        parts["land"] = timings[-1][1]
        if args.end_to_end:
            from ccw.quality.gates import run_raw_gates

            step(f"raw gates ({title})", lambda: run_raw_gates(s.build_warehouse, s.data_dir))
            parts["raw gates"] = timings[-1][1]
        step(dbt_name, lambda: run_dbt(dbt_args))
        parts["dbt"] = timings[-1][1]
        reports.append((title, layer_report(dbt_target_path())))
        if args.end_to_end:
            from ccw.publish import publish
            from ccw.quality.gates import run_mart_gates
            from ccw.report import write_report

            step(f"mart gates ({title})", lambda: run_mart_gates(s.build_warehouse, s.data_dir))
            parts["mart gates"] = timings[-1][1]
            published: list = []
            step(f"publish ({title})", lambda: published.append(publish(s.build_warehouse, s.warehouse)) or True)
            parts["publish"] = timings[-1][1]
            print(f"[bench] {published[0].render()}", flush=True)
            step(f"report ({title})", lambda: write_report(s.warehouse, s.data_dir / "report"))
            parts["report"] = timings[-1][1]

    reports: list[tuple[str, list[str]]] = []
    if not has_exports(s.raw_root):
        from ccw.generate import GeneratorConfig, generate

        step("generate " + args.preset, lambda: generate(GeneratorConfig.preset(args.preset), s.raw_root) or True)
    holdback = Path(args.dir).resolve() / "holdback"
    if args.incremental:
        held = _hold_back_latest_day(s.raw_root, holdback)
        print(f"[bench] held back export day {held}", flush=True)
    run("full rebuild", "land", "dbt build --full-refresh", ["build", "--full-refresh"])
    if args.incremental:
        _bring_back(s.raw_root, holdback)
        run("daily build (one new export day)", "land the held-back day", "dbt build (daily)",
            ["build", *DAILY_ARGS])
        resent = _resend_corrected(s.raw_root)
        print(f"[bench] re-sent corrected {resent.relative_to(s.raw_root)}", flush=True)
        run("daily build with a file of 20 days earlier re-sent", "land the re-sent file", "dbt build (re-sent file)",
            ["build", *DAILY_ARGS])

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
    if args.end_to_end:
        steps = ["land", "raw gates", "dbt", "mart gates", "publish", "report"]
        full = sum(next(iter(runs.values())).values())
        print("  -- end to end (seconds)")
        print(f"  {'run':<52} " + " ".join(f"{name:>10}" for name in steps) + f" {'total':>8} {'share':>6}")
        for title, parts in runs.items():
            total = sum(parts.values())
            print(f"  {title:<52} " + " ".join(f"{parts.get(name, 0.0):10.1f}" for name in steps)
                  + f" {total:8.1f} {total / full:6.0%}")
    for schema, (n, rows) in layers.items():
        print(f"  {schema:<13} {n:>3} relations {rows:>14,} rows")
    print(f"  peak RSS                    {_peak_mb():8,.0f} MB")


if __name__ == "__main__":
    main()
