"""``write_report``: open the serving file read-only, build every section, write ``index.html`` atomically."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ccw.report import queries
from ccw.report.sections import SECTIONS, Context
from ccw.report.template import page

INDEX = "index.html"


def write_report(serving: Path, out_dir: Path, data_docs: Path | None = None) -> Path:
    """Write ``out_dir/index.html`` from the published marts of ``serving``; returns its path."""
    serving, out_dir = Path(serving), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(serving), read_only=True)
    try:
        meta = queries.meta(con)
        if meta.last_day is None:
            raise ValueError(f"{serving}: marts.kpi_service_daily has no rows, nothing to report")
        ctx = Context(con=con, meta=meta, data_docs=Path(data_docs) if data_docs else None, out_dir=out_dir)
        html = page(meta, [(key, build(ctx)) for key, build in SECTIONS])
    finally:
        con.close()
    target = out_dir / INDEX
    temp = out_dir / f".{INDEX}.{os.getpid()}.tmp"
    temp.write_text(html, encoding="utf-8")
    os.replace(temp, target)
    return target
