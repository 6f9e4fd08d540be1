"""`ccw`: the command line of the pipeline's Python steps.

ccw generate [--preset default|small|tiny|scale] [--seed N] [--dirt-rate R]
ccw land  [--wait [S]] [--engine duckdb|spark]   # land new or changed export files into raw tables
ccw build [--wait [S]]        # dbt build: seeds, models and their tests
ccw run   [--wait [S]]        # generate if no sample, land, build, summarise
ccw metrics list|query|validate|catalog   # the semantic layer's metrics, read-only on the serving file (no lock)

run, land and build hold the data folder's run lock ($CCW_DATA_DIR/.ccw-run.lock): one at a time per data folder.

exit codes:
  0   done, nothing refused
  1   failed or stopped: a critical quality finding, a failing dbt test or step (stops before publishing)
  2   the DuckDB build file is held by another (non-ccw) process
  3   done and published, but landing refused or quarantined file(s): listed in the output
  75  another ccw run holds the data folder (named in the message); --wait waits for it
"""

from __future__ import annotations

import argparse
import sys

from ccw.config import settings

#: done and published, but landing refused or quarantined at least one file (listed in the output)
EXIT_FILES_REFUSED = 3
#: the commands that write the data folder and hold its run lock
LOCKED_COMMANDS = ("land", "build", "run")
#: the engines `ccw land --engine` lands into (CCW_ENGINE sets the default)
ENGINES = ("duckdb", "spark")


def _default_engine() -> str:
    """``$CCW_ENGINE`` when it names an engine; else duckdb (argparse rejects an unknown name given on the line)."""
    import os

    engine = os.environ.get("CCW_ENGINE", "duckdb").strip().lower() or "duckdb"
    if engine not in ENGINES:
        raise SystemExit(f"ccw: CCW_ENGINE={engine!r} is not one of {', '.join(ENGINES)}")
    return engine


def _cmd_generate(args: argparse.Namespace) -> int:
    from ccw.generate import GeneratorConfig, generate

    cfg = GeneratorConfig.preset(args.preset, seed=args.seed, dirt_rate=args.dirt_rate)
    generate(cfg, settings().raw_root)
    return 0


def _cmd_land(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        from ccw.land.spark import land_all_on_spark
        from ccw.spark import spark_session

        spark = spark_session()
        try:
            report = land_all_on_spark(settings().raw_root, history=args.history, spark=spark)
        finally:
            spark.stop()  # the Derby metastore admits one process: dbt opens it next
    else:
        from ccw.land import land_all

        report = land_all(settings().raw_root, settings().build_warehouse, history=args.history)
    print(report.render())
    if not report.ok:
        print(f"ccw land: {len(report.quarantined) + len(report.refused)} file(s) refused or quarantined (listed "
              f"above): every other file landed; exit code {EXIT_FILES_REFUSED}.", file=sys.stderr)
        return EXIT_FILES_REFUSED
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from ccw.build import build_warehouse

    return 0 if build_warehouse(extra=["--full-refresh"] if args.full_refresh else ()) else 1


def _cmd_run(args: argparse.Namespace) -> int:
    from ccw.pipeline import run_pipeline

    return run_pipeline(preset=args.preset, seed=args.seed)


def _cmd_metrics(args: argparse.Namespace) -> int:
    from ccw.metrics import main as metrics_main

    return metrics_main(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccw", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a sample contact centre's raw exports")
    gen.add_argument("--preset", default="default", help="tiny | small | default | scale")
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--dirt-rate", type=float, default=None, help="scale of the dirt patterns (default preset's)")
    gen.set_defaults(func=_cmd_generate)

    land = sub.add_parser("land", help="land new or changed export files")
    land.add_argument(
        "--history", action="store_true",
        help="the files landed by this run are history dumps (a backfill of any span of time): the raw gates flag "
        "only their records dated after the export day + 1 (the first file of each entity is one anyway)",
    )
    land.add_argument(
        "--engine", choices=ENGINES, default=_default_engine(),
        help="where the raw tables are: the DuckDB build file, or the Spark catalogue of the `spark` dbt target "
        "(docs/spark.md); default: $CCW_ENGINE, else duckdb",
    )
    land.set_defaults(func=_cmd_land)
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
    metrics = sub.add_parser(
        "metrics", help="the semantic layer: list, query, validate the KPI metrics (read-only, never blocks a build)"
    )
    from ccw.metrics import add_arguments as add_metrics_arguments

    add_metrics_arguments(metrics)
    metrics.set_defaults(func=_cmd_metrics)
    for command in (land, build, run):
        command.add_argument(
            "--wait", nargs="?", type=float, const=-1.0, default=0.0, metavar="SECONDS",
            help="when another ccw run holds the data folder, wait for it (up to SECONDS, default: as long as it "
            "takes) instead of exiting with code 75",
        )

    args = parser.parse_args(argv)
    from ccw.land import WarehouseLockedError
    from ccw.runlock import EXIT_LOCKED, RunLockedError

    try:
        if args.command not in LOCKED_COMMANDS:
            return int(args.func(args))
        return _locked(args)
    except RunLockedError as exc:
        print(f"ccw {args.command}: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except WarehouseLockedError as exc:
        print(f"ccw {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full, read-only or forbidden place: one message, not a traceback
        from ccw import preflight

        if exc.errno not in preflight.NO_SPACE | preflight.CANT_WRITE:
            raise
        fault = preflight.describe_os_error(exc, f"ccw {args.command}", settings().warehouse)
        print(f"ccw {args.command}: {fault.message}", file=sys.stderr)
        return fault.exit_code


def _locked(args: argparse.Namespace) -> int:
    """Run the command holding the data folder's run lock."""
    from ccw.runlock import run_lock

    def waiting(holder) -> None:
        print(f"ccw {args.command}: waiting for {holder.describe()} to end", file=sys.stderr, flush=True)

    wait = None if args.wait < 0 else args.wait
    with run_lock(settings().data_dir, wait=wait, on_wait=waiting):
        if args.command == "run":
            from ccw.publish.core import heal_versions

            if heal_versions(settings().warehouse):  # a kill between the serving rename and the Parquet swap
                print("ccw run: the Parquet folder was one version behind the serving file (a publish was killed "
                      "between the two renames): it now points at the serving file's version", file=sys.stderr)
            from ccw import preflight

            fault = preflight.check(settings())
            if fault is not None:
                print(f"ccw run: {fault.message}", file=sys.stderr)
                return fault.exit_code
        return int(args.func(args))


#: the start of the resource tracker's warning about the semaphores os._exit leaves it to unlink (see entry)
RESOURCE_TRACKER_WARNING = "resource_tracker"  # no colon: -W options are colon-separated


def entry() -> None:
    """The `ccw` command: ``main``, then an exit that skips the interpreter's teardown. DuckDB 2.0's Python module
    prints dozens of "nanobind: leaked ..." lines at teardown when library caches (SQLAlchemy, GX) still hold
    DuckDB objects, which reads like a crash after a successful run. Every file is closed by then: connections
    are closed where they are opened, and dbt's after each invocation.

    Skipping the teardown also skips multiprocessing's finalizers. dbt's locks (spawn context) and GX's progress
    bars register named semaphores with multiprocessing's resource tracker, a helper process; at our exit it
    unlinks them, which is its job, and warns "There appear to be 1 leaked semaphore objects". That warning is
    turned off here, before the tracker starts (it takes the interpreter's -W options): nothing is left behind."""
    import gc

    sys.warnoptions.append(f"ignore:{RESOURCE_TRACKER_WARNING}:UserWarning")
    code = main()
    gc.collect()
    exit_without_teardown(code)


def exit_without_teardown(code: int = 0) -> None:
    """End this process with ``code``, its streams flushed, without the interpreter's teardown (``entry`` says why);
    ``ccw.spark.in_child``'s workers end so too."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
