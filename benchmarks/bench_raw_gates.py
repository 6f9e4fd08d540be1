"""Raw gates benchmark: a first run against the daily runs that judge only what landed since (issue 16).

    .venv/bin/python benchmarks/bench_raw_gates.py [--dir /tmp/ccw-bench-raw-gates] [--preset default]

Generates the preset under <dir>/raw if it is not there yet, moves the latest export day's files aside and lands the
rest into a new build database, then times the raw gates (``run_raw_gates``, in this process; GX is imported first
and its import time printed apart):

1. first run: nothing judged yet, every file of every raw table (what every run judged before);
2. nothing new: landing again (every file unchanged), then the gates;
3. one more export day: the held-back files come back and land, then the gates;
4. a re-sent file: one export file of 20 days earlier re-sent corrected (its last record left out) lands as a
   replacement, then the gates.

Prints per run the seconds, the suites and checks run, the files judged and carried over, and the verdict.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path


def _latest_day(raw: Path) -> date:
    return max(date.fromisoformat(p.name.split(".")[0]) for p in raw.rglob("*.*") if p.name[:4].isdigit())


def _move(paths: list[Path], source: Path, target: Path) -> None:
    for path in paths:
        moved = target / path.relative_to(source)
        moved.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, moved)


def _resend(raw: Path, day: date, original: Path) -> Path:
    """The contact-record file of ``day`` rewritten without its last record (a later modification time); the file
    as it was is kept at ``original``."""
    [path] = list((raw / "telephony" / "contact_records").glob(f"{day.isoformat()}.*"))
    shutil.copy2(path, original)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    later = path.stat().st_mtime + 60
    os.utime(path, (later, later))
    return path


def _gates(label: str, build: Path, data_dir: Path) -> None:
    """One raw gate run, with the time of the SQL GX sent (summed over its statements: what grows with the rows)."""
    import sqlalchemy as sa

    from ccw.quality import run_raw_gates

    sql = [0.0, 0.0]  # seconds, start of the current statement

    def before(*_: object) -> None:
        sql[1] = time.perf_counter()

    def after(*_: object) -> None:
        sql[0] += time.perf_counter() - sql[1]

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)
    try:
        report = run_raw_gates(build, data_dir)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
        sa.event.remove(sa.engine.Engine, "after_cursor_execute", after)
    suites = len({r.suite for r in report.results})
    print(f"  {label:<38} {report.seconds:6.2f} s (GX's SQL {sql[0]:5.2f} s)  {suites:2} suites "
          f"{len(report.results):3} checks  files judged {report.files_judged:5,}, carried over "
          f"{report.files_carried_over:5,}  ok={report.ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--dir", default="/tmp/ccw-bench-raw-gates")
    parser.add_argument("--preset", default="default")
    args = parser.parse_args()
    data_dir = Path(args.dir).resolve()
    os.environ["CCW_DATA_DIR"] = str(data_dir)

    from ccw.config import settings
    from ccw.land import land_all
    from ccw.pipeline import ensure_sample

    s = settings()
    ensure_sample(s.raw_root, args.preset, progress=False)
    for old in (s.build_warehouse, data_dir / "quality"):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    held = data_dir / "held"
    latest = _latest_day(s.raw_root)
    _move(sorted(s.raw_root.rglob(f"{latest.isoformat()}.*")), s.raw_root, held)
    try:
        landed = land_all(s.raw_root, s.build_warehouse, loaders=[])
        started = time.perf_counter()
        import ccw.quality  # noqa: F401  (GX and its dependencies)

        print(f"Raw gates on the '{args.preset}' sample in {data_dir}: {len(landed.files):,} files landed before "
              f"{latest} (import of GX {time.perf_counter() - started:.1f} s, once per process)")
        _gates("1. first run (all but the last day)", s.build_warehouse, data_dir)
        land_all(s.raw_root, s.build_warehouse, loaders=[])
        _gates("2. nothing new", s.build_warehouse, data_dir)
    finally:
        _move(sorted(p for p in held.rglob("*") if p.is_file()), held, s.raw_root)
    new_day = land_all(s.raw_root, s.build_warehouse, loaders=[])
    print(f"     the latest day lands: {len(new_day.landed)} new file(s)")
    _gates("3. one more export day", s.build_warehouse, data_dir)
    original = data_dir / "resent.original"
    resent = _resend(s.raw_root, latest - timedelta(days=20), original)
    try:
        replaced = land_all(s.raw_root, s.build_warehouse, loaders=[])
        print(f"     re-sent {resent.relative_to(s.raw_root)}: {len(replaced.replaced)} replaced")
        _gates("4. a re-sent file of 20 days earlier", s.build_warehouse, data_dir)
    finally:
        shutil.move(original, resent)  # the sample as generated, for the next run of this script


if __name__ == "__main__":
    main()
