"""What a raw gate run judges: the files landed since the raw gates last passed, not every landed row again.

**The batch.** GX validates, per raw table, the view ``raw_batch."<system>__<entity>"`` (the table asset of the
suite, ``ccw.quality.project``) that this module creates before the checkpoint and drops after the run:

- *the whole table* (``select * from raw.<table>``, exactly what the gates judged before they were incremental) when
  the table has never been judged (an empty one too: its ``has_rows`` warning), when its suite changed since (another
  rule, threshold, accepted value, queue or holiday: the suite file's sha256 differs), or when every file it holds is
  new;
- *the files to judge*: the raw rows of the files whose current version (their latest ``landed`` or ``replaced``
  attempt in ``raw._landing_manifest``) landed after the table's ``judged_through_attempt``: new files, re-sent
  (replaced) files and late files of earlier days. The view filters on those files' export days as well (every row of
  a file carries its file's ``_export_date``), so DuckDB skips the row groups of other days by their min/max;
- *nothing*: a table none of whose files changed is not validated at all; its files are *carried over* as judged,
  and so are the verdicts on them: a warning about an unchanged file (or an empty table) is not repeated. A run
  with nothing new validates nothing and does not start GX.

History is the reference where a rule needs it: the same-weekday volume band reads the day totals of the whole raw
table (``raw_rules.volume_rules``) and judges only the batch's days; the record-time rule reads the history dumps from
``raw._landing_files``; unknown agents are looked up in the whole roster table. Key uniqueness and the unknown-agent
and -queue shares are per file already.

**The state** lives in the build database, ``quality.raw_gate_state`` (``ccw.quality.tables``): one row per raw table
with ``judged_through_attempt`` (every landing attempt up to this ``attempt_id`` has been judged), ``suite_checksum``
(the suite it was judged with), the run and when. It is written in one transaction at the end of a raw gate run that
*passed* (``report.ok``), with the highest attempt id of the manifest when the run chose its batches (attempt ids come
from one sequence and landing holds the run lock, so no attempt below it can appear later). A run that stopped,
crashed or was killed writes nothing: the next run judges the same files again (plus any newer), so a critical finding
(a half-empty day, a file of unknown agents) stops every run until the file is fixed, as before. Rows quarantined by a
stopped run have left the raw table, so judging their file again quarantines nothing twice; untrusted files are
computed from all quarantined rows of every current file (``ccw.quality.quarantine``), whatever the batch. A re-sent
file lands as a new attempt and is judged again; a file re-sent unchanged (landing: ``unchanged``) is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from ccw.land.tables import MANIFEST
from ccw.quality.tables import RAW_GATE_STATE
from ccw.sqltext import ident, literal

BATCH_SCHEMA = "raw_batch"
WHOLE, FILES, SKIPPED = "whole table", "files", "nothing new"


def batch_relation(raw_table: str) -> str:
    """The relation GX validates for ``raw.<raw_table>``."""
    return f"{BATCH_SCHEMA}.{ident(raw_table)}"


@dataclass(frozen=True)
class Landed:
    """The current version of one file: its latest attempt that landed rows."""

    file_path: str
    export_date: date | None
    attempt_id: int


@dataclass(frozen=True)
class TableBatch:
    """What one raw table's suite judges in this run."""

    table: str
    scope: str  # WHOLE | FILES | SKIPPED
    judged: tuple[str, ...]  # the files judged (their current versions), sorted
    carried_over: int  # current files judged by an earlier run and not again
    why: str  # why the whole table: never judged, suite changed, every file new (empty for FILES / SKIPPED)
    dates: tuple[date, ...] = ()  # FILES: the export days of the judged files

    @property
    def validated(self) -> bool:
        return self.scope != SKIPPED

    def view_sql(self) -> str:
        """The batch view's query over ``raw.<table>``."""
        source = f"select * from raw.{ident(self.table)}"
        if self.scope != FILES:
            return source
        files = ", ".join(literal(f) for f in self.judged)
        if not self.dates:  # a file without an export day (none lands so): no pruning by day
            return f"{source} where _source_file in ({files})"
        days = ", ".join(f"date '{d.isoformat()}'" for d in self.dates)
        return f"{source} where _export_date in ({days}) and _source_file in ({files})"

    def note(self) -> dict[str, str]:
        """What the Data Docs show of the batch (GX's "Batch Markers")."""
        shown = ", ".join(self.judged[:10]) + (f" and {len(self.judged) - 10} more" if len(self.judged) > 10 else "")
        return {
            "batch judged": f"{self.scope}{f' ({self.why})' if self.why else ''}",
            "files judged": f"{len(self.judged):,}" + (f": {shown}" if self.scope == FILES else ""),
            "files carried over": f"{self.carried_over:,} (judged by an earlier run, unchanged since)",
        }


@dataclass(frozen=True)
class BatchPlan:
    """The batches of one raw gate run and the state to write when it passes."""

    tables: dict[str, TableBatch]
    through_attempt: int  # the manifest's highest attempt id when the batches were chosen
    checksums: dict[str, str]  # raw table -> sha256 of its suite file

    @property
    def validated_suites(self) -> set[str]:
        return {f"raw.{t}" for t, b in self.tables.items() if b.validated}

    @property
    def files_judged(self) -> int:
        return sum(len(b.judged) for b in self.tables.values())

    @property
    def files_carried_over(self) -> int:
        return sum(b.carried_over for b in self.tables.values())

    def judged_files(self) -> dict[str, tuple[str, ...]]:
        """Raw table -> the files this run judges (tables with none left out)."""
        return {t: b.judged for t, b in self.tables.items() if b.judged}


def suite_checksums(project_dir: Path, tables: Iterable[str]) -> dict[str, str]:
    """sha256 of each raw table's suite file in the GX project (a changed rule changes it)."""
    folder = project_dir / "expectations" / "raw"
    return {t: hashlib.sha256((folder / f"{t}.json").read_bytes()).hexdigest() for t in tables}


def _landed_files(con: duckdb.DuckDBPyConnection, through: int) -> dict[str, list[Landed]]:
    """Raw table -> the current version of each of its files, up to attempt ``through``."""
    rows = con.execute(
        f"""
        select system || '__' || entity, file_path, arg_max(export_date, attempt_id), max(attempt_id)
        from {MANIFEST}
        where outcome in ('landed', 'replaced') and attempt_id <= ?
        group by all
        order by 1, 2
        """,
        [through],
    ).fetchall()
    out: dict[str, list[Landed]] = {}
    for table, path, day, attempt in rows:
        out.setdefault(table, []).append(Landed(path, day, attempt))
    return out


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    rows = con.execute(f"select raw_table, judged_through_attempt, suite_checksum from {RAW_GATE_STATE}").fetchall()
    return {table: (through, checksum) for table, through, checksum in rows}


def _table_batch(table: str, files: list[Landed], state: tuple[int, str] | None, checksum: str) -> TableBatch:
    everything = tuple(f.file_path for f in files)
    if state is None or state[1] != checksum:
        return TableBatch(table, WHOLE, everything, 0, "never judged" if state is None else "its suite changed")
    new = [f for f in files if f.attempt_id > state[0]]
    if not new:
        return TableBatch(table, SKIPPED, (), len(files), "")
    if len(new) == len(files):
        return TableBatch(table, WHOLE, everything, 0, "every file is new")
    dates = tuple(sorted({f.export_date for f in new if f.export_date is not None}))
    if any(f.export_date is None for f in new):
        dates = ()
    return TableBatch(table, FILES, tuple(f.file_path for f in new), len(files) - len(new), "", dates)


def plan(con: duckdb.DuckDBPyConnection, checksums: dict[str, str]) -> BatchPlan:
    """The batch of every raw table in ``checksums`` for a run starting now."""
    through = con.execute(f"select coalesce(max(attempt_id), 0) from {MANIFEST}").fetchone()[0]
    landed, state = _landed_files(con, through), _state(con)
    tables = {
        table: _table_batch(table, landed.get(table, []), state.get(table), checksum)
        for table, checksum in checksums.items()
    }
    return BatchPlan(tables, int(through), dict(checksums))


def create_views(con: duckdb.DuckDBPyConnection, batch_plan: BatchPlan) -> None:
    """The batch view of every table the run validates."""
    con.execute(f"create schema if not exists {BATCH_SCHEMA}")
    for table, batch in batch_plan.tables.items():
        if batch.validated:
            con.execute(f"create or replace view {batch_relation(table)} as {batch.view_sql()}")


def drop_views(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """The batch views go with the run (a view would go stale when landing widens its raw table)."""
    for table in tables:
        con.execute(f"drop view if exists {batch_relation(table)}")


def record(con: duckdb.DuckDBPyConnection, batch_plan: BatchPlan, run_id: str, at: datetime) -> None:
    """Every table judged through the plan's attempt, with its suite: call only when the run passed."""
    rows = [[t, batch_plan.through_attempt, c, run_id, at] for t, c in batch_plan.checksums.items()]
    con.begin()
    try:
        con.execute(f"delete from {RAW_GATE_STATE}")
        con.executemany(f"insert into {RAW_GATE_STATE} values (?, ?, ?, ?, ?)", rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
