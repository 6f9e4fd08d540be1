"""``ExpectNoFailingRows``: GX's ``UnexpectedRowsExpectation`` with one query instead of two.

The stock expectation resolves two metrics per rule, the failing rows (``unexpected_rows_query.table``) and
their count (``unexpected_rows_query.row_count``), so DuckDB runs every rule's query twice. The gates only
need the count from GX (they query the failing rows themselves, and only for rules that failed), which
halves the time of the raw suites. Everything else (query, ``{batch}``, severity, rendering) is inherited.
Suites store it as ``"type": "expect_no_failing_rows"``; importing ``ccw.quality`` registers it with GX.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations import UnexpectedRowsExpectation

ROW_COUNT_METRIC = "unexpected_rows_query.row_count"


class ExpectNoFailingRows(UnexpectedRowsExpectation):
    """The rule's query (over ``{batch}``) returns no row; observed value: how many it returns."""

    metric_dependencies: ClassVar[tuple[str, ...]] = (ROW_COUNT_METRIC,)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                  execution_engine: Any = None) -> dict:
        count = int(metrics[ROW_COUNT_METRIC])
        return {"success": count == 0, "result": {"observed_value": count}}
