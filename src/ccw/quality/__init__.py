"""Data-quality gates with Great Expectations: bad data never reaches a dashboard.

    from ccw.quality import run_raw_gates, run_mart_gates, GateFailed
    report = run_raw_gates(build_warehouse, data_dir)   # after landing, before dbt
    report = run_mart_gates(build_warehouse, data_dir)  # after the dbt build, before publishing
    report.ok, report.results, report.render(), report.data_docs_index

The suites live in the GX project ``expectations/``, written from ``raw_rules`` and ``mart_rules`` by
``python -m ccw.quality sync``. GX computes in DuckDB through the dialect of ``engine``.
"""

from ccw.quality.gates import run_mart_gates, run_raw_gates
from ccw.quality.verdicts import GateFailed, GateReport, GateResult, UntrustedFile

__all__ = ["GateFailed", "GateReport", "GateResult", "UntrustedFile", "run_mart_gates", "run_raw_gates"]
