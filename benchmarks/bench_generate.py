"""Generator throughput: one preset generated into a scratch folder, with wall time, rows/s and peak memory.

    .venv/bin/python benchmarks/bench_generate.py [--preset scale] [--dir /tmp/ccw-bench-generate] [--keep]

The issue's targets for the scale preset (1,000 agents x 365 days, about 18 million contacts): within 15 minutes on
a 2-core machine, memory under 8 GB. Peak memory is the largest resident set of this process and of any worker
process (the sites run in parallel workers), and their sum as an upper bound of what was resident at once.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

from ccw.generate import GeneratorConfig, generate

TARGET_SECONDS = 15 * 60
TARGET_BYTES = 8 * 1024**3


def peak_rss_bytes() -> tuple[int, int]:
    """(peak RSS of this process, peak RSS of the largest waited-for child), bytes (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="scale")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ccw-bench-generate"))
    parser.add_argument("--keep", action="store_true", help="keep the generated files (default: delete them)")
    args = parser.parse_args()

    cfg = GeneratorConfig.preset(args.preset, seed=args.seed)
    raw_root = args.dir / "raw"
    shutil.rmtree(raw_root, ignore_errors=True)
    started = time.perf_counter()
    summary = generate(cfg, raw_root)
    seconds = time.perf_counter() - started
    own, child = peak_rss_bytes()
    contacts = summary.rows.get("telephony__contact_records", 0) + summary.rows.get("chat__sessions", 0) \
        + summary.rows.get("helpdesk__ticket", 0)
    size = sum(p.stat().st_size for p in raw_root.rglob("*") if p.is_file())

    print()
    print(f"preset {cfg.name}: {cfg.agents} agents x {cfg.days} days, {cfg.workers} worker(s)")
    print(f"  wall time            {seconds:10.1f} s   (target <= {TARGET_SECONDS} s: "
          f"{'met' if seconds <= TARGET_SECONDS else 'MISSED'})")
    print(f"  rows written         {summary.total_rows:14,}   ({summary.total_rows / seconds:,.0f} rows/s)")
    print(f"  contacts (calls legs + chats + tickets) {contacts:,}")
    print(f"  files / bytes        {sum(summary.files.values()):,} / {size / 1024**3:.2f} GiB")
    print(f"  peak RSS main        {own / 1024**3:10.2f} GiB")
    print(f"  peak RSS worker      {child / 1024**3:10.2f} GiB   (main + workers <= {(own + 2 * child) / 1024**3:.2f} "
          f"GiB; target < {TARGET_BYTES / 1024**3:.0f} GiB: {'met' if own + 2 * child < TARGET_BYTES else 'MISSED'})")
    if not args.keep:
        shutil.rmtree(args.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
