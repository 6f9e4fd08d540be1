"""Run the raw gates (after landing, before dbt) and the mart gates (after dbt, before publishing).

    report = run_raw_gates(build_warehouse, data_dir)
    print(report.render())
    if not report.ok: stop

Both run a GX checkpoint of the project in ``expectations/`` against the build database, in DuckDB, then
act on the results: raw gates quarantine the rows failing critical row rules and judge each file;
every result goes to ``quality.gate_results``; Data Docs are rebuilt under ``<data dir>/quality/``.

Raw gates judge only the files landed since they last passed (new, re-sent, late), each raw table's suite on a view
of those rows; a table none of whose files changed is not validated (``ccw.quality.batches``: the batches, and the
state in ``quality.raw_gate_state`` written when a run passes). A run with nothing to validate does not start GX.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext

from ccw.land import ensure_raw_tables
from ccw.land.fingerprint import utc_now
from ccw.quality import batches, engine, project
from ccw.quality.quarantine import set_aside, set_aside_untrusted, untrusted_files
from ccw.quality.raw_rules import CRITICAL, FILE, ROW, SPECS, WARNING
from ccw.quality.results import Checked, checked_from, describe_failure, store
from ccw.quality.settings import max_bad_share as default_max_bad_share
from ccw.quality.tables import ensure_quality_objects, open_build_database
from ccw.quality.verdicts import GateReport, GateResult

RAW, MART = "raw", "mart"
_SHOWN = 3  # files or rows named in one message


DUCKDB, SPARK = "duckdb", "spark"


def run_raw_gates(build_warehouse: Path, data_dir: Path, max_bad_share: float | None = None,
                  engine: str = DUCKDB) -> GateReport:
    """Validate every raw table; quarantine rows failing critical row rules; judge files.

    ``report.ok`` is False when a critical expectation failed or a file's share of failing rows is above
    ``max_bad_share`` (default: env CCW_QUALITY_MAX_BAD_ROW_SHARE, else 1 %). ``engine`` ``spark``: the same suites
    on the Spark tables (``ccw.quality.on_spark``; ``build_warehouse`` is then unused).
    """
    share = default_max_bad_share() if max_bad_share is None else max_bad_share
    if engine == SPARK:
        from ccw.quality.on_spark import run_on_spark

        return run_on_spark(RAW, Path(data_dir), share)
    _engine(engine)
    return _run(RAW, project.RAW_CHECKPOINT, Path(build_warehouse), Path(data_dir), share)


def run_mart_gates(build_warehouse: Path, data_dir: Path, engine: str = DUCKDB) -> GateReport:
    """Validate the marts (rates, bands, reconciliations, missing days, distributions) before publishing."""
    if engine == SPARK:
        from ccw.quality.on_spark import run_on_spark

        return run_on_spark(MART, Path(data_dir), default_max_bad_share())
    _engine(engine)
    return _run(MART, project.MART_CHECKPOINT, Path(build_warehouse), Path(data_dir), default_max_bad_share())


def _engine(engine: str) -> None:
    if engine not in (DUCKDB, SPARK):
        raise ValueError(f"engine {engine!r}: use {DUCKDB} or {SPARK}")


def _run(stage: str, checkpoint: str, build_warehouse: Path, data_dir: Path, share: float) -> GateReport:
    started = time.perf_counter()
    report = GateReport(stage=stage, run_id=uuid.uuid4().hex, max_bad_share=share)
    con = open_build_database(build_warehouse)
    try:
        ensure_quality_objects(con)
        if stage == RAW:
            _judge_raw(con, report, build_warehouse, data_dir / "quality")
        else:
            _judge_marts(con, report, checkpoint, build_warehouse, data_dir / "quality")
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def _judge_marts(con: duckdb.DuckDBPyConnection, report: GateReport, checkpoint: str, build_warehouse: Path,
                 quality_dir: Path) -> None:
    def validate(context: FileDataContext, run: RunIdentifier) -> object:
        return context.checkpoints.get(checkpoint).run(run_id=run)

    outcome = _validate(build_warehouse, quality_dir, report, validate)
    at = utc_now()
    report.results = [_plain_result(con, c) for c in checked_from(outcome)]
    store(con, report.run_id, report.stage, at, report.results)


def _judge_raw(con: duckdb.DuckDBPyConnection, report: GateReport, build_warehouse: Path, quality_dir: Path) -> None:
    """Validate the batch of every raw table with something to judge; record what was judged when the run passed."""
    ensure_raw_tables(con)  # a database nothing has landed in yet: empty tables, warnings, no crash
    tables = [spec.table for spec in SPECS]
    batch_plan = batches.plan(con, batches.suite_checksums(project.PROJECT_DIR, tables))
    report.files_judged, report.files_carried_over = batch_plan.files_judged, batch_plan.files_carried_over
    report.judged_files = batch_plan.judged_files()
    notes = {f"raw.{t}": b.note() for t, b in batch_plan.tables.items()}

    def validate(context: FileDataContext, run: RunIdentifier) -> object:
        return project.run_validations(context, project.RAW_CHECKPOINT, run, batch_plan.validated_suites, notes)

    batches.create_views(con, batch_plan)
    try:
        checked: list[Checked] = []
        if batch_plan.validated_suites:
            checked = checked_from(_validate(build_warehouse, quality_dir, report, validate))
        at = utc_now()
        report.results, report.quarantined_rows = _raw_results(con, report.run_id, at, checked)
        report.untrusted_files = untrusted_files(con, report.max_bad_share)
        report.quarantined_rows += set_aside_untrusted(con, report.run_id, at, report.untrusted_files,
                                                       report.max_bad_share)
        store(con, report.run_id, report.stage, at, report.results)
    finally:
        batches.drop_views(con, tables)
    if report.ok:
        batches.record(con, batch_plan, report.run_id, at)


def _validate(build_warehouse: Path, quality_dir: Path, report: GateReport,
              validate: Callable[[FileDataContext, RunIdentifier], object]) -> object:
    """``validate(context, run id)`` in the project's GX context, then this run's Data Docs."""
    try:
        with project.gx_context(build_warehouse, quality_dir) as context:
            outcome = validate(context, RunIdentifier(run_name=f"{report.stage}-{report.run_id}"))
            project.build_data_docs(context, outcome)
    finally:
        _release_gx_connections()
    report.data_docs_index = project.data_docs_index(quality_dir)
    return outcome


def _release_gx_connections() -> None:
    """Close what GX left open: dbt (same process) may open the file next with another configuration. Every
    connection GX opened is closed by ``engine.close_connections``, unreachable ones too (a weak set still yields an
    object until the collector frees it), so no ``gc.collect()`` first: with Dagster and GX loaded one took about 1 s
    of CPU even when it found nothing, twice in each `ccw run` (2026-12-08)."""
    engine.close_connections()


# ------------------------------------------------------------------------------------------ raw results
def _raw_results(
    con: duckdb.DuckDBPyConnection, run_id: str, at: datetime, checked: list[Checked],
    set_aside: Callable[..., int] = set_aside, sql_of: Callable[[Checked], str] | None = None,
) -> tuple[list[GateResult], int]:
    """Results of the raw suites; rows failing critical row rules are set aside (one warning per rule).
    ``con`` runs SQL (``execute(sql).fetchall()``); ``set_aside`` and ``sql_of`` (a rule's query on its relation):
    DuckDB's by default, Spark's from ``ccw.quality.on_spark``."""
    sql_of = sql_of or _sql
    results: list[GateResult] = []
    to_quarantine: dict[str, list[tuple[Checked, str]]] = {}
    for c in checked:
        if c.kind == ROW and c.severity == CRITICAL and not c.success and c.error is None:
            to_quarantine.setdefault(c.suite, []).append((c, sql_of(c)))
        else:
            results.append(_plain_result(con, c, sql_of))
    moved = 0
    for suite, failing in to_quarantine.items():
        raw_table = suite.split(".", 1)[1]
        per_file = {c.rule: _count_per_file(con, sql) for c, sql in failing}
        moved += set_aside(con, run_id, at, raw_table, [(c.rule, c.description, sql) for c, sql in failing])
        for c, _ in failing:
            files = per_file[c.rule]
            results.append(GateResult(
                c.suite, c.asset, c.rule, WARNING, False, str(c.observed),
                f"{c.observed:,} row(s) quarantined (critical rule: {c.description}) from {len(files)} file(s): "
                + _name_files(files),
            ))
    return results, moved


def _plain_result(con: duckdb.DuckDBPyConnection, c: Checked,
                  sql_of: Callable[[Checked], str] | None = None) -> GateResult:
    sql_of = sql_of or _sql
    observed = None if c.observed is None else str(c.observed)
    if c.success:
        return GateResult(c.suite, c.asset, c.rule, c.severity, True, observed, "ok")
    if c.error is not None:  # a check that cannot run must not pass: critical, whatever its severity
        return GateResult(c.suite, c.asset, c.rule, CRITICAL, False, observed, describe_failure(c))
    if c.kind == ROW:
        files = _count_per_file(con, sql_of(c))
        message = f"{c.observed:,} row(s) in {len(files)} file(s) fail: {c.description}: {_name_files(files)}"
    elif c.kind == FILE:
        rows = con.execute(sql_of(c)).fetchall()
        shown = "; ".join(_row_text(r) for r in rows[:_SHOWN]) + ("; ..." if len(rows) > _SHOWN else "")
        message = f"{len(rows)} file(s) fail: {c.description}: {shown}"
    elif c.query is not None:
        rows = con.execute(sql_of(c)).fetchall()
        shown = "; ".join(_row_text(r) for r in rows[:_SHOWN]) + ("; ..." if len(rows) > _SHOWN else "")
        message = f"{c.description}: failing {shown}"
    else:
        message = describe_failure(c)
    return GateResult(c.suite, c.asset, c.rule, c.severity, False, observed, message)


def _sql(c: Checked) -> str:
    """What GX ran for the rule: its query with ``{batch}`` the suite's relation (braces undoubled); a raw suite's is
    the run's batch view (``ccw.quality.batches``)."""
    schema, table = c.suite.split(".", 1)
    relation = batches.batch_relation(table) if schema == "raw" else f'{schema}."{table}"'
    return str(c.query).format(batch=relation)


def _count_per_file(con: duckdb.DuckDBPyConnection, failing_sql: str) -> list[tuple[str, int]]:
    return con.execute(
        f"select _source_file, count(*) from ({failing_sql}) as f group by _source_file order by 2 desc, 1"
    ).fetchall()


def _name_files(files: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{name} ({n:,})" for name, n in files[:_SHOWN])
    return shown + (f" and {len(files) - _SHOWN} more" if len(files) > _SHOWN else "")


def _row_text(row: tuple) -> str:
    return ", ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row)
