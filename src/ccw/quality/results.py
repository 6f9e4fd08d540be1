"""GX validation results -> the facts the gates act on, and the gate results stored in ``quality.gate_results``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from ccw.quality.tables import GATE_RESULTS
from ccw.quality.verdicts import GateResult


@dataclass(frozen=True)
class Checked:
    """One expectation's outcome, as GX computed it."""

    suite: str
    rule: str
    kind: str  # schema | row | file | table
    severity: str
    success: bool
    description: str
    observed: Any
    unexpected_count: int | None
    element_count: int | None
    query: str | None  # the unexpected_rows_query of a query rule (GX form, "{batch}")
    error: str | None  # the evaluation raised
    details: dict | None = None

    @property
    def asset(self) -> str:
        return self.suite


def _first_line(text: str, limit: int = 240) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def checked_from(checkpoint_result: Any) -> list[Checked]:
    """Flatten a GX ``CheckpointResult`` into one ``Checked`` per expectation, suites in checkpoint order."""
    out = []
    for suite_result in checkpoint_result.run_results.values():
        for evr in suite_result.results:
            config = evr.expectation_config
            meta = dict(config.meta or {})
            result = dict(evr.result or {})
            info = dict(evr.exception_info or {})
            raised = info.get("raised_exception") or any(
                isinstance(v, dict) and v.get("raised_exception") for v in info.values()
            )
            error = None
            if raised:
                messages = [info.get("exception_message")] + [
                    v.get("exception_message") for v in info.values() if isinstance(v, dict)
                ]
                error = _first_line(next((m for m in messages if m), "unknown error"))
            severity = getattr(config.severity, "value", config.severity)
            out.append(Checked(
                suite=suite_result.suite_name,
                rule=str(meta.get("rule") or config.type),
                kind=str(meta.get("kind") or "table"),
                severity=str(severity),
                success=bool(evr.success) and error is None,
                description=str(config.description or config.type),
                observed=result.get("observed_value"),
                unexpected_count=result.get("unexpected_count"),
                element_count=result.get("element_count"),
                query=config.kwargs.get("unexpected_rows_query"),
                error=error,
                details=result.get("details"),
            ))
    return out


def describe_failure(c: Checked) -> str:
    """The message of a failed expectation that is neither a row nor a file rule."""
    if c.error:
        return f"could not be evaluated: {c.error}"
    mismatched = (c.details or {}).get("mismatched")
    if isinstance(mismatched, dict):
        parts = [f"{what} {', '.join(map(str, names))}" for what, names in sorted(mismatched.items()) if names]
        return f"{c.description}: " + "; ".join(parts)
    if c.unexpected_count is not None:
        share = f" ({c.unexpected_count / c.element_count:.1%})" if c.element_count else ""
        return f"{c.unexpected_count:,} of {c.element_count or 0:,} rows{share} fail: {c.description}"
    return f"{c.description}: observed {c.observed}"


def store(con: duckdb.DuckDBPyConnection, run_id: str, stage: str, at: datetime, results: list[GateResult]) -> None:
    if not results:
        return
    rows = pa.table({
        "run_id": [run_id] * len(results),
        "stage": [stage] * len(results),
        "checked_at": pa.array([at] * len(results), pa.timestamp("us")),
        "suite": [r.suite for r in results],
        "asset": [r.asset for r in results],
        "expectation": [r.expectation for r in results],
        "severity": [r.severity for r in results],
        "success": [r.success for r in results],
        "observed": pa.array([r.observed for r in results], pa.string()),
        "message": [r.message for r in results],
    })
    con.register("_gate_results_batch", rows)
    try:
        con.execute(f"insert into {GATE_RESULTS} select * from _gate_results_batch")
    finally:
        con.unregister("_gate_results_batch")
