"""`ccw`: the command line of the pipeline's Python steps.

ccw generate [--preset default|small|tiny|scale] [--seed N] [--dirt-rate R]
ccw land                      # land new or changed export files into raw tables
ccw build                     # dbt seed + snapshot + build
ccw run                       # generate if no sample, land, build, summarise
"""

from __future__ import annotations

import argparse
import sys

from ccw.config import settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from ccw.generate import GeneratorConfig, generate

    cfg = GeneratorConfig.preset(args.preset, seed=args.seed, dirt_rate=args.dirt_rate)
    generate(cfg, settings().raw_root)
    return 0


def _cmd_land(args: argparse.Namespace) -> int:
    from ccw.land import land_all

    report = land_all(settings().raw_root, settings().build_warehouse)
    print(report.render())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from ccw.build import build_warehouse

    return 0 if build_warehouse(extra=["--full-refresh"] if args.full_refresh else ()) else 1


def _cmd_run(args: argparse.Namespace) -> int:
    from ccw.pipeline import run_pipeline

    return run_pipeline(preset=args.preset, seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccw", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a sample contact centre's raw exports")
    gen.add_argument("--preset", default="default", help="tiny | small | default | scale")
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--dirt-rate", type=float, default=None, help="scale of the dirt patterns (default preset's)")
    gen.set_defaults(func=_cmd_generate)

    sub.add_parser("land", help="land new or changed export files").set_defaults(func=_cmd_land)
    build = sub.add_parser("build", help="build the warehouse with dbt")
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental staging tables from every landed row (after changing a staging rule, a var "
        "or CCW_PII_SALT, or a re-landed correction that removes records)",
    )
    build.set_defaults(func=_cmd_build)

    run = sub.add_parser("run", help="the whole pipeline on the sample")
    run.add_argument("--preset", default="default")
    run.add_argument("--seed", type=int, default=None)
    run.set_defaults(func=_cmd_run)

    args = parser.parse_args(argv)
    from ccw.land import WarehouseLockedError

    try:
        return int(args.func(args))
    except WarehouseLockedError as exc:
        print(f"ccw {args.command}: {exc}", file=sys.stderr)
        return 2


def entry() -> None:
    """The `ccw` command: ``main``, then an exit that skips the interpreter's teardown. DuckDB 2.0's Python module
    prints dozens of "nanobind: leaked ..." lines at teardown when library caches (SQLAlchemy, GX) still hold
    DuckDB objects, which reads like a crash after a successful run. Every file is closed by then: connections
    are closed where they are opened, and dbt's after each invocation."""
    import gc
    import os

    code = main()
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
