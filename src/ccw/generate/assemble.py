"""Putting the sites' parts together into one file per entity and day, file-level dirt, arrival times."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from ccw.exports import ENTITIES, Entity
from ccw.generate import clock
from ccw.generate.writer import set_mtime

DAY = clock.DAY
MISSING_CANDIDATES = ("chat__sessions", "helpdesk__ticket_comment", "survey__responses")
LATE_CANDIDATES = ("helpdesk__ticket", "workforce__schedules", "telephony__agent_events")


def day_files(root: Path, e: Entity) -> dict[str, Path]:
    d = e.directory(root)
    if not d.exists():
        return {}
    return {p.stem: p for p in sorted(d.glob(f"*.{e.extension}")) if _is_day(p.stem)}


def _is_day(stem: str) -> bool:
    try:
        date.fromisoformat(stem)
        return len(stem) == 10
    except ValueError:
        return False


def clean(root: Path) -> int:
    """Remove earlier generated export files (date-named files of known entities)."""
    n = 0
    for e in ENTITIES:
        for p in day_files(root, e).values():
            p.unlink()
            n += 1
    return n


def append_file(e: Entity, target: Path, part: Path) -> None:
    """Append ``part`` to ``target`` (CSV: without its header; Parquet: rewritten as one file)."""
    if not target.exists():
        shutil.move(part, target)
        return
    if e.file_format == "parquet":
        tmp = target.with_suffix(".merge.parquet")
        con = duckdb.connect()
        try:
            con.execute("SET preserve_insertion_order = true")
            con.execute(f"COPY (SELECT * FROM read_parquet(['{target}', '{part}'])) TO '{tmp}' (FORMAT parquet)")
        finally:
            con.close()
        tmp.replace(target)
        part.unlink()
        return
    with part.open("rb") as src, target.open("ab") as out:
        if e.file_format == "csv":
            src.readline()
        shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    part.unlink()


def merge_parts(root: Path, parts: Path) -> None:
    for e in ENTITIES:
        for stem, p in day_files(parts, e).items():
            target = e.file_path(root, stem)
            target.parent.mkdir(parents=True, exist_ok=True)
            append_file(e, target, p)
    shutil.rmtree(parts, ignore_errors=True)


def file_dirt(root: Path, first: date, n_days: int, dirt_rate: float, seed: int) -> dict[str, str]:
    """One export day without a file for one entity (its rows come with the next day's file), and one file
    that arrives a day late. Returns what was done, for the summary."""
    if dirt_rate <= 0 or n_days < 4:
        return {}
    rng = np.random.default_rng(np.random.SeedSequence([seed, 991]))
    by = {e.table: e for e in ENTITIES}
    miss = by[MISSING_CANDIDATES[rng.integers(0, len(MISSING_CANDIDATES))]]
    d_miss = first + timedelta(days=int(rng.integers(1, n_days - 2)))
    path = miss.file_path(root, d_miss.isoformat())
    nxt = miss.file_path(root, (d_miss + timedelta(days=1)).isoformat())
    if path.exists() and nxt.exists():
        tmp = nxt.with_suffix(nxt.suffix + ".tmp")
        shutil.move(nxt, tmp)
        shutil.move(path, nxt)
        append_file(miss, nxt, tmp)
    late = by[LATE_CANDIDATES[rng.integers(0, len(LATE_CANDIDATES))]]
    d_late = first + timedelta(days=int(rng.integers(1, n_days - 1)))
    return {"missing": f"{miss.table} {d_miss}", "late": f"{late.table} {d_late}"}


def set_arrival_times(root: Path, late: str | None) -> None:
    """Each file 'arrives' the day after its export day at 02:00 UTC; the late one a day later still."""
    for e in ENTITIES:
        for stem, p in day_files(root, e).items():
            when = clock.epoch(date.fromisoformat(stem) + timedelta(days=1)) + 2 * 3600
            if late == f"{e.table} {stem}":
                when += DAY
            set_mtime(p, when)
