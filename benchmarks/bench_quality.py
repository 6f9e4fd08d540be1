"""Quality-gate benchmark: all suites (raw + mart) against the `dbt build` of the same sample.

    .venv/bin/python benchmarks/bench_quality.py [--dir /tmp/ccw-bench-quality] [--preset default]
                                                 [--scale-rows 125000000] [--skip-dbt]

Generates and lands the preset under <dir> if it is not there yet, times `dbt build` (a child `ccw build`,
the same command as `make build`; --skip-dbt reuses the warehouse already built there and the last timing
written to <dir>/bench_quality_dbt_seconds), then times the raw gates and the mart gates in this process,
split into the SQL DuckDB ran for GX (summed over every statement) and the rest (GX's own Python work,
Data Docs, results). Prints the ratio to the dbt build, in wall time and in CPU time (the fairer figure on a
shared machine), and its extrapolation to the scale preset.

Extrapolation: every gate query is a scan or an aggregate over raw or mart rows, so the SQL part grows with
the raw rows (factor = --scale-rows / rows here); the rest is per expectation, independent of the data.
`dbt build` has a large per-node part (about a thousand models and tests) that does not grow with the data,
so its scale time is not simply factor x the time here: the script prints the gates' scale estimate and the
dbt build time from which they stay within 20 % (5 x that estimate); pass the measured scale build with
--dbt-scale-seconds (benchmarks/bench_build.py --preset scale) to get the ratio itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SCALE_RAW_ROWS = 125_000_000  # README "Performance": the scale preset has 125.0 M raw rows


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _dbt_seconds(data_dir: Path, skip: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of `ccw build` in a child process."""
    record = data_dir / "bench_quality_dbt_seconds"
    if skip and record.exists():
        wall, cpu = record.read_text().split()
        return float(wall), float(cpu)
    ccw = Path(sys.executable).with_name("ccw")
    started, cpu_started = time.perf_counter(), _children_cpu()
    done = subprocess.run([str(ccw), "build"], check=False, env=os.environ.copy(), stdout=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_started
    if done.returncode != 0:
        print(f"  note: `ccw build` exited {done.returncode} (a failing dbt node); its time is still the build's")
    record.write_text(f"{wall:.1f} {cpu:.1f}")
    return wall, cpu


class SqlTimer:
    """Sums the wall time of every statement SQLAlchemy sends (GX's metric queries)."""

    def __init__(self) -> None:
        self.seconds, self.statements, self._started = 0.0, 0, 0.0

    def before(self, *args: object) -> None:
        self._started = time.perf_counter()

    def after(self, *args: object) -> None:
        self.seconds += time.perf_counter() - self._started
        self.statements += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--dir", default="/tmp/ccw-bench-quality")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--scale-rows", type=int, default=SCALE_RAW_ROWS)
    parser.add_argument("--skip-dbt", action="store_true", help="reuse the built warehouse and its timing")
    parser.add_argument("--dbt-scale-seconds", type=float, default=None, help="measured scale `dbt build`")
    args = parser.parse_args()
    data_dir = Path(args.dir).resolve()
    os.environ["CCW_DATA_DIR"] = str(data_dir)

    from ccw.config import settings
    from ccw.land import land_all
    from ccw.pipeline import ensure_sample

    s = settings()
    ensure_sample(s.raw_root, args.preset, progress=False)
    land_all(s.raw_root, s.build_warehouse)
    dbt, dbt_cpu = _dbt_seconds(data_dir, args.skip_dbt)

    started = time.perf_counter()
    import sqlalchemy as sa

    from ccw.quality import run_mart_gates, run_raw_gates

    imported = time.perf_counter() - started
    timers = {}
    reports = {}
    cpu_started = time.process_time()
    for stage, run in (("raw", run_raw_gates), ("mart", run_mart_gates)):
        timer = timers[stage] = SqlTimer()
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", timer.before)
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", timer.after)
        try:
            reports[stage] = run(s.build_warehouse, s.data_dir)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", timer.before)
            sa.event.remove(sa.engine.Engine, "after_cursor_execute", timer.after)

    gates_cpu = time.process_time() - cpu_started
    import duckdb

    con = duckdb.connect(str(s.build_warehouse), read_only=True)
    raw_rows = sum(
        con.execute(f'select count(*) from raw."{t}"').fetchone()[0]
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name not like '\\_%' escape '\\'"
        ).fetchall()
    )
    con.close()

    total = sum(r.seconds for r in reports.values())
    sql = sum(t.seconds for t in timers.values())
    rest = total - sql
    factor = args.scale_rows / raw_rows
    print(f"Quality gates on the '{args.preset}' sample ({raw_rows:,} raw rows) in {data_dir}")
    print(f"  dbt build (ccw build)            {dbt:8.1f} s wall, {dbt_cpu:8.1f} s CPU")
    print(f"  import great_expectations etc.   {imported:8.1f} s (once per process)")
    for stage, report in reports.items():
        checks = len(report.results)
        print(f"  {stage:<4} gates: {checks:3} checks          {report.seconds:8.1f} s "
              f"(SQL {timers[stage].seconds:.1f} s in {timers[stage].statements} statements; ok={report.ok})")
    print(f"  all suites                       {total:8.1f} s wall = {total / dbt:.1%} of the dbt build "
          f"({(total + imported) / dbt:.1%} with the import); {gates_cpu:.1f} s CPU = {gates_cpu / dbt_cpu:.1%} "
          "of its CPU (CPU time barely depends on other load on the machine)")
    at_scale = sql * factor + rest
    print(f"  scale estimate (x{factor:.0f} rows): gates {at_scale:,.0f} s (SQL {sql * factor:,.0f} s + rest "
          f"{rest:.0f} s); within 20 % of the dbt build as long as it takes at least {5 * at_scale:,.0f} s")
    if args.dbt_scale_seconds:
        print(f"  measured scale dbt build {args.dbt_scale_seconds:,.0f} s -> gates "
              f"{at_scale / args.dbt_scale_seconds:.1%} of it (target 20 %)")


if __name__ == "__main__":
    main()
