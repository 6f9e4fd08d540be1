"""Publishing cost: the serving file, Parquet and the daily report from a built warehouse.

    .venv/bin/python benchmarks/bench_publish.py [--build data/build/warehouse.duckdb] [--repeat 3]
                                                 [--out /tmp/ccw-bench-publish] [--previous FOLDER]

Each publish runs in its own child process so its peak memory (max RSS, Python and DuckDB included) and CPU time
are measured alone. Prints seconds (copy, saved-query exports, Parquet, total, CPU), the serving file and Parquet
sizes, then the report's render time and size, first with an empty metric-SQL cache (MetricFlow compiles the
report's queries) and then cached, and the machine's load average (the figures are wall times). The children use
their own cache folder under --out, so the first publish compiles the saved queries too. Run it on the default
sample after `make run` (the build database is only read).

Without --previous the first publish writes every mart and the later ones find every mart unchanged (they start
from the serving file the one before wrote: ccw.publish.changes). With --previous, a folder holding the serving file
(``warehouse.duckdb``) and Parquet folder (``parquet`` and its versioned folder) of an earlier publish, e.g. of the
day before's build, every repeat starts from a fresh copy of that folder: what a daily publish costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ccw.config import settings

CHILD = """
import json, resource, sys, time
from dataclasses import asdict
from pathlib import Path
from ccw.publish import publish
result = publish(Path(sys.argv[1]), Path(sys.argv[2]))
out = asdict(result)
usage = resource.getrusage(resource.RUSAGE_SELF)
out["max_rss_kib"], out["cpu_seconds"] = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
print(json.dumps(out))
"""

REPORT = """
import json, resource, sys, time
from pathlib import Path
from ccw.report import write_report
started = time.perf_counter()
path = write_report(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - started, "bytes": path.stat().st_size,
                  "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def child(script: str, *args: str, cache: Path | None = None) -> dict:
    env = {**os.environ, "CCW_CACHE_DIR": str(cache)} if cache else None
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=settings().build_warehouse)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ccw-bench-publish"))
    parser.add_argument("--previous", type=Path, help="an earlier publish's folder every repeat starts from")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    serving = args.out / "warehouse.duckdb"
    build_bytes = args.build.stat().st_size

    runs = []
    for i in range(args.repeat):
        if args.previous:
            for path in args.out.iterdir():
                if path.name == "cache":
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            shutil.copytree(args.previous, args.out, symlinks=True, dirs_exist_ok=True)
        started = time.perf_counter()
        result = child(CHILD, str(args.build), str(serving), cache=args.out / "cache")
        result["wall"] = time.perf_counter() - started
        runs.append(result)
        print(f"publish {i + 1}: {result['seconds']:.2f} s (copy {result['copy_seconds']:.2f} s, "
              f"{result['metric_tables']} saved-query exports {result['metrics_seconds']:.2f} s, Parquet "
              f"{result['parquet_seconds']:.2f} s; {result['wall']:.2f} s with interpreter start-up; CPU "
              f"{result['cpu_seconds']:.2f} s), peak RSS {result['max_rss_kib'] / 1024:.0f} MiB")
        if result["from_previous"]:
            written = result["tables"] - result["tables_kept"] - result["tables_merged"]
            print(f"  from the previous serving file: {result['tables_kept']} marts unchanged, "
                  f"{result['tables_merged']} merged by row, {written} written; {result['rows_written']:,} rows "
                  "written")
    last = runs[-1]
    print(f"marts: {last['tables']} tables, {last['rows']:,} rows; build database {build_bytes / 1e6:.0f} MB")
    print(f"publish median {statistics.median(r['seconds'] for r in runs):.2f} s "
          f"(min {min(r['seconds'] for r in runs):.2f}, max {max(r['seconds'] for r in runs):.2f}); "
          f"peak RSS max {max(r['max_rss_kib'] for r in runs) / 1024:.0f} MiB")
    print(f"serving file {last['serving_bytes'] / 1e6:.1f} MB (storage {last['storage_version']}), "
          f"Parquet {last['parquet_bytes'] / 1e6:.1f} MB in {last['tables']} files + manifest.json")
    for label in ("report, MetricFlow compiles its queries", "report, compiled SQL cached"):
        report = child(REPORT, str(serving), str(args.out / "report"), cache=args.out / "cache")
        print(f"{label}: {report['seconds']:.2f} s, {report['bytes'] / 1e3:.0f} kB, peak RSS "
              f"{report['max_rss_kib'] / 1024:.0f} MiB")
    print(f"(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
