"""``python -m ccw.quality sync`` rewrites the GX project from the rule specifications;
``python -m ccw.quality raw|mart`` runs one stage of gates on the configured build database."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ccw.quality", description=__doc__)
    parser.add_argument("command", choices=["sync", "raw", "mart"])
    args = parser.parse_args(argv)
    if args.command == "sync":
        from ccw.quality.project import sync

        print(f"GX project written to {sync()}")
        return 0
    from ccw.config import settings
    from ccw.quality import run_mart_gates, run_raw_gates

    s = settings()
    report = (run_raw_gates if args.command == "raw" else run_mart_gates)(s.build_warehouse, s.data_dir)
    print(report.render())
    if not report.ok:
        return 1
    return 3 if report.untrusted_files else 0  # files set aside whole: as ``ccw run`` exits when one is


if __name__ == "__main__":
    sys.exit(main())
