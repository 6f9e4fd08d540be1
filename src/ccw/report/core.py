"""``write_report``: open the serving file read-only, build every section, write ``index.html`` atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from ccw.metrics import (
    DEFAULT_MANIFEST,
    manifest_catalog,
    read_manifest_json,
    serving_manifest_text,
)
from ccw.read_serving import open_stable
from ccw.report import queries
from ccw.report.sections import SECTIONS, Context, empty
from ccw.report.template import page
from ccw.sqltext import ident, literal

INDEX = "index.html"
_PROBE = "ccw_report_probe"


def open_serving(serving: Path, manifest: Path | None = None) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection on ``serving`` attached READ_ONLY under the catalog name the metric SQL uses, and the semantic
    manifest (JSON text) to compile the metrics with: ``manifest`` when given, else the one the serving file was
    published with (``main._semantic_manifest``), else the project's ``target/semantic_manifest.json``."""
    if not serving.is_file():
        raise FileNotFoundError(f"no serving file at {serving}: run `ccw run` first")
    # one open: the probe and the catalog must attach the same version (a publish may replace the file between)
    return open_stable(serving, lambda: _attach_with_manifest(serving, manifest), lambda opened: opened[0].close())


def _attach_with_manifest(serving: Path, manifest: Path | None) -> tuple[duckdb.DuckDBPyConnection, str]:
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(serving)} as {_PROBE} (read_only)")
        if manifest is not None:
            text = manifest.read_text(encoding="utf-8")
        else:
            text = serving_manifest_text(con, _PROBE)
            if text is None:
                text = DEFAULT_MANIFEST.read_text(encoding="utf-8") if DEFAULT_MANIFEST.exists() else None
            if text is None:  # parses the project (dbt parse) when even the project's manifest is missing
                text = json.dumps(read_manifest_json())
        catalog = manifest_catalog(json.loads(text))
        con.execute(f"detach {_PROBE}")
        con.execute(f"attach {literal(serving)} as {ident(catalog)} (read_only)")
        con.execute(f"use {ident(catalog)}")
    except BaseException:
        con.close()
        raise
    return con, text


def write_report(serving: Path, out_dir: Path, data_docs: Path | None = None, manifest: Path | None = None) -> Path:
    """Write ``out_dir/index.html`` from the published marts of ``serving``; returns its path. KPIs are the
    semantic layer's metrics, compiled from ``manifest`` (default: the manifest published with the serving file)."""
    serving, out_dir = Path(serving), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con, manifest_text = open_serving(serving, Path(manifest) if manifest else None)
    try:
        meta = queries.meta(con)
        if meta.last_day is None:
            raise ValueError(f"{serving}: marts.kpi_service_daily has no rows, nothing to report")
        metrics = queries.Metrics(con, manifest_text)
        ctx = Context(con=con, meta=meta, data_docs=Path(data_docs) if data_docs else None, out_dir=out_dir,
                      metrics=metrics)
        built = [(key, build(ctx)) for key, build in SECTIONS]
        # a section without data (a system the centre does not have: no phone, no surveys, no CRM ...) is left out
        html = page(meta, [(key, section) for key, section in built if section.body != empty()])
    finally:
        con.close()
    target = out_dir / INDEX
    temp = out_dir / f".{INDEX}.{os.getpid()}.tmp"
    temp.write_text(html, encoding="utf-8")
    os.replace(temp, target)
    return target
