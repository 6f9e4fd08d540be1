"""``generate``: run the sites (in parallel processes when configured), assemble, summarise."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ccw.exports import ENTITIES
from ccw.generate import assemble
from ccw.generate.config import GeneratorConfig
from ccw.generate.reference import load_reference
from ccw.generate.site import SiteRun
from ccw.generate.workforce import site_plans
from ccw.generate.writer import DayWriter

PARTS_DIR = ".ccw-parts"


@dataclass
class GenerationSummary:
    preset: str
    seed: int
    dirt_rate: float
    raw_root: Path
    seconds: float
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    file_dirt: dict[str, str] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def render(self) -> str:
        lines = [f"Generated the '{self.preset}' sample (seed {self.seed}, dirt {self.dirt_rate:g}) into "
                 f"{self.raw_root} in {self.seconds:.1f}s", f"  {'entity':<34} {'files':>6} {'rows':>12}"]
        for e in ENTITIES:
            lines.append(f"  {e.table:<34} {self.files.get(e.table, 0):>6} {self.rows.get(e.table, 0):>12,}")
        lines.append(f"  {'total':<34} {sum(self.files.values()):>6} {self.total_rows:>12,}")
        for k, v in self.file_dirt.items():
            lines.append(f"  dirt: {k} file {v}")
        return "\n".join(lines)


def _run_site(cfg: GeneratorConfig, index: int, root: str, threads: int, progress: bool) -> dict[str, dict[int, int]]:
    """One site in its own process, with its own writer."""
    ref = load_reference()
    plan = site_plans(cfg)[index]
    writer = DayWriter(Path(root), cfg.start, cfg.days, threads=threads)
    SiteRun(cfg, plan, ref, writer, progress=progress).run()
    return writer.close()


def _run_together(cfg: GeneratorConfig, root: Path, threads: int, progress: bool) -> dict[str, dict[int, int]]:
    """All sites in this process, day by day in lockstep, into one writer (no parts to merge)."""
    ref = load_reference()
    writer = DayWriter(root, cfg.start, cfg.days, threads=threads)
    sites = [SiteRun(cfg, plan, ref, writer, progress=progress) for plan in site_plans(cfg)]
    for s in sites:
        s.begin()
    for di in range(cfg.days):
        writer.flush(min(s.step(di) for s in sites))
    return writer.close()


def generate(cfg: GeneratorConfig, raw_root: Path, progress: bool = True) -> GenerationSummary:
    """Write the sample's raw exports under ``raw_root`` (earlier generated files there are replaced)."""
    t0 = time.time()
    raw_root = Path(raw_root)
    raw_root.mkdir(parents=True, exist_ok=True)
    assemble.clean(raw_root)
    parts = raw_root / PARTS_DIR
    plans = site_plans(cfg)
    roots = [str(raw_root if p.index == 0 else parts / p.site) for p in plans]
    if progress:
        print(f"Generating '{cfg.name}': {cfg.agents} agents, {cfg.days} days {cfg.start}..{cfg.end}, "
              f"seed {cfg.seed}, dirt {cfg.dirt_rate:g}, {cfg.workers} worker(s)", flush=True)
    workers = max(1, min(cfg.workers, len(plans)))
    threads = max(1, (os.cpu_count() or 1) // workers)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_run_site, cfg, p.index, roots[p.index], threads, progress) for p in plans]
            results = [f.result() for f in futures]
    else:
        results = [_run_together(cfg, raw_root, threads, progress)]
    if progress:
        print(f"  sites done in {time.time() - t0:.1f}s; assembling files", flush=True)
    if parts.exists():
        for p in plans[1:]:
            assemble.merge_parts(raw_root, parts / p.site)
        parts.rmdir() if parts.exists() and not any(parts.iterdir()) else None
    dirt = assemble.file_dirt(raw_root, cfg.start, cfg.days, cfg.dirt_rate, cfg.seed)
    assemble.set_arrival_times(raw_root, dirt.get("late"))
    summary = GenerationSummary(cfg.name, cfg.seed, cfg.dirt_rate, raw_root, 0.0, file_dirt=dirt)
    for e in ENTITIES:
        summary.files[e.table] = len(assemble.day_files(raw_root, e))
        summary.rows[e.table] = sum(sum(r.get(e.table, {}).values()) for r in results)
    summary.seconds = time.time() - t0
    if progress:
        print(summary.render(), flush=True)
    return summary
