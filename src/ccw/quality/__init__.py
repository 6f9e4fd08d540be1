"""Data-quality gates with Great Expectations: bad data never reaches a dashboard.

    from ccw.quality import run_raw_gates, run_mart_gates, GateFailed
    report = run_raw_gates(build_warehouse, data_dir)   # after landing, before dbt
    report = run_mart_gates(build_warehouse, data_dir)  # after the dbt build, before publishing
    report.ok, report.results, report.render(), report.data_docs_index

The suites live in the GX project ``expectations/``, written from ``raw_rules`` and ``mart_rules`` by
``python -m ccw.quality sync``. GX computes in DuckDB through the dialect of ``engine``.

The names are imported when first used (PEP 562), not with the package: GX imports pyspark when it is installed,
and pyspark's Spark Connect module ends the process with status 0 ("Skipping doctests") when it is imported while
``__main__`` is still bare, which is the case while ``python -m ccw.quality`` imports this package before its
``__main__``: the gates would have "passed" without running.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"run_mart_gates": "gates", "run_raw_gates": "gates", "GateFailed": "verdicts", "GateReport": "verdicts",
          "GateResult": "verdicts", "UntrustedFile": "verdicts"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"ccw.quality.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'ccw.quality' has no attribute {name!r}")


__all__ = ["GateFailed", "GateReport", "GateResult", "UntrustedFile", "run_mart_gates", "run_raw_gates"]
