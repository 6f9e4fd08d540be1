"""Replay the roster snapshot over every roster change day it has not seen yet.

The daily roster lands many days at once (a sample, a backfill, a late file), but a dbt snapshot only sees the
rows of the moment it runs. ``snp_workforce__agents`` reads ``int_agents__roster_as_of``: each agent's roster row
as of ``var('roster_as_of')`` with ``changed_at`` = the first day of its current attributes. Running
``CCW_ROSTER_AS_OF=<day> dbt snapshot`` once per change day, in date order, therefore builds the same
SCD2 history that a daily production run builds. Call :func:`replay_roster_snapshot` before ``dbt build``.

dbt re-parses the whole project whenever ``--vars`` change (20 s and more here), so the day travels in an
environment variable, which partial parsing handles by re-parsing the one model that reads it. Queries go
through ``dbt show`` because the in-process dbt keeps the DuckDB file open, and a second connection with other
settings is refused.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ccw.build import dbt_common_args, dbt_env

log = logging.getLogger(__name__)

SNAPSHOT = "snp_workforce__agents"
ROSTER_CHANGES_MODEL = "int_agents__roster_islands"
ROSTER_ENV = "CCW_ROSTER_AS_OF"


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did: the change days snapshotted (in order) and the ones it could not apply in order."""

    replayed: tuple[date, ...]
    out_of_order: tuple[date, ...]
    ok: bool


def forget_compiled_state(manifest: Any) -> None:
    """Reset what a dbt run leaves in the nodes of a re-used manifest: a node marked as already compiled with its
    ephemeral CTEs injected would not get them again (Catalog Error: __dbt__cte__... does not exist)."""
    for node in manifest.nodes.values():
        if getattr(node, "compiled", False) or getattr(node, "extra_ctes_injected", False):
            node.compiled = False
            node.compiled_code = None
            node.extra_ctes_injected = False
            node.extra_ctes = []


class ParsedProject:
    """dbt invocations of this project. The roster day is passed as the environment variable CCW_ROSTER_AS_OF
    (``--vars`` would force a full re-parse of the project on every change; a changed env var re-parses only
    the files that read it)."""

    def __init__(self) -> None:
        dbt_env()
        os.environ.pop(ROSTER_ENV, None)
        result = self.invoke(["parse"])
        if not result.success or result.result is None:
            raise RuntimeError(f"dbt parse failed: {result.exception}")
        self.manifest: Any = result.result

    def invoke(self, args: Sequence[str]) -> Any:
        """One dbt command; after the first parse, on the parsed manifest (dbt compiles each node again when it
        runs, so the model reading CCW_ROSTER_AS_OF sees the day of this call)."""
        from dbt.cli.main import dbtRunner

        parsed = getattr(self, "manifest", None)
        if parsed is not None:
            forget_compiled_state(parsed)
        runner = dbtRunner(manifest=parsed)
        return runner.invoke([*args, *dbt_common_args()])

    def run(self, args: Sequence[str]) -> bool:
        return bool(self.invoke(args).success)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a select (Jinja allowed: ``{{ ref(...) }}``), through dbt's own connection."""
        result = self.invoke(["show", "--inline", sql, "--limit", "-1", "--quiet"])
        if not result.success:
            raise RuntimeError(f"dbt show failed: {sql}")
        return [tuple(row) for row in result.result.results[0].agate_table.rows]

    def relation_parts(self, name: str) -> tuple[str, str]:
        """(schema, identifier) of a snapshot or model of the project."""
        node = next(n for n in self.manifest.nodes.values() if n.name == name and n.resource_type in
                    ("snapshot", "model"))
        return node.schema, node.alias


def snapshot_exists(project: ParsedProject) -> bool:
    schema, identifier = project.relation_parts(SNAPSHOT)
    rows = project.query(
        "select count(*) from information_schema.tables"
        f" where lower(table_schema) = lower('{schema}') and lower(table_name) = lower('{identifier}')"
    )
    return bool(rows and rows[0][0])


def snapshot_dates(project: ParsedProject) -> set[date]:
    """Days on which a version of the snapshot starts (empty when the snapshot does not exist yet)."""
    if not snapshot_exists(project):
        return set()
    rows = project.query(f"select distinct cast(dbt_valid_from as date) from {{{{ ref('{SNAPSHOT}') }}}}")
    return {row[0] for row in rows}


def roster_change_dates(project: ParsedProject) -> list[date]:
    """Every day on which some agent's roster attributes changed (the first roster day included), ascending."""
    rows = project.query(f"select distinct island_start_date from {{{{ ref('{ROSTER_CHANGES_MODEL}') }}}} order by 1")
    return [row[0] for row in rows]


def pending_change_dates(project: ParsedProject) -> tuple[list[date], list[date]]:
    """(change days after the snapshot's latest version, to replay in order; missing days before it).

    A change day before the latest version (a late or corrected roster file) cannot be replayed in order: the
    timestamp strategy ignores rows older than an agent's current version. It is reported, and
    ``replay_roster_snapshot(rebuild=True)`` rebuilds the history.
    """
    known = snapshot_dates(project)
    changes = roster_change_dates(project)
    latest = max(known) if known else None
    pending = [d for d in changes if latest is None or d > latest]
    out_of_order = [d for d in changes if latest is not None and d < latest and d not in known]
    return pending, out_of_order


def replay_roster_snapshot(rebuild: bool = False) -> ReplayResult:
    """Snapshot the roster as of each change day not yet in ``snp_workforce__agents``, oldest first.

    Builds the views the snapshot reads (staging and ``int_agents__roster_islands``), then runs
    ``dbt snapshot --select snp_workforce__agents`` with CCW_ROSTER_AS_OF=<day> per pending day. With
    ``rebuild`` the snapshot table is dropped first and the whole history replayed. Idempotent: a second call
    finds nothing pending. Stops at the first failing dbt run (``ok`` False).
    """
    project = ParsedProject()
    if not project.run(["run", "--select", f"+{ROSTER_CHANGES_MODEL}"]):
        return ReplayResult((), (), ok=False)
    if rebuild:
        schema, identifier = project.relation_parts(SNAPSHOT)
        drop_args = json.dumps({"schema": schema, "identifier": identifier})
        if not project.run(["run-operation", "drop_named_relation", "--args", drop_args]):
            return ReplayResult((), (), ok=False)
    pending, out_of_order = pending_change_dates(project)
    if out_of_order:
        log.warning("roster changes before the snapshot's latest version cannot be replayed in order: %s; "
                    "rebuild with replay_roster_snapshot(rebuild=True)", ", ".join(map(str, out_of_order)))
    replayed: list[date] = []
    try:
        for day in pending:
            os.environ[ROSTER_ENV] = day.isoformat()
            if not project.run(["snapshot", "--select", SNAPSHOT]):
                return ReplayResult(tuple(replayed), tuple(out_of_order), ok=False)
            replayed.append(day)
    finally:
        os.environ.pop(ROSTER_ENV, None)
    return ReplayResult(tuple(replayed), tuple(out_of_order), ok=True)
