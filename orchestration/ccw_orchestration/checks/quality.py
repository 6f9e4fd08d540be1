"""The Great Expectations gates (ccw.quality) as Dagster asset checks.

One check per GX suite, on the asset the suite validates: ``gx_raw_gate`` on every raw table (run after landing,
before dbt; it also sets rows failing critical rules aside in quarantine) and ``gx_mart_gate`` on every gated mart
(after the dbt build, before publishing). The checks are blocking: a critical failure fails the check with ERROR
severity, which stops every asset downstream and fails the run; warnings fail it with WARN severity, which is shown
but does not block. An untrusted file (too many rows failing critical rules) is set aside whole by the gates: a
WARN result naming it (``files_set_aside``), its day built without it, and ``ccw run`` exits 3. With
``CCW_ENGINE=spark`` the same suites run on Spark's tables
(``ccw.quality.on_spark``), in the run's Spark worker (``ccw.spark_worker``).
"""

from collections.abc import Iterable, Iterator, Sequence

import dagster as dg

from ccw_orchestration.resources import SparkWorkerResource, WarehouseResource, spark_environment
from ccw_orchestration.settings import BUILD_DB_POOL, DUCKDB, SPARK

RAW_CHECK, MART_CHECK = "gx_raw_gate", "gx_mart_gate"


def asset_key_of(relation: str) -> dg.AssetKey:
    """``raw.telephony__contact_records`` -> AssetKey(["raw", "telephony__contact_records"])."""
    schema, _, name = relation.partition(".")
    return dg.AssetKey([schema, name]) if name else dg.AssetKey(["raw", schema])


def gated_raw_keys() -> list[dg.AssetKey]:
    from ccw.quality.raw_rules import SPECS

    return [dg.AssetKey(["raw", s.table]) for s in SPECS]


def gated_mart_keys() -> list[dg.AssetKey]:
    from ccw.quality.mart_rules import SPECS

    return [dg.AssetKey(["marts", s.table]) for s in SPECS]


def _check_results(report, check_name: str, keys: Sequence[dg.AssetKey]) -> Iterator[dg.AssetCheckResult]:
    """One result per checked asset: ERROR when a critical expectation failed, WARN when only warnings failed or
    a file was set aside whole as untrusted."""
    by_key: dict[dg.AssetKey, list] = {k: [] for k in keys}
    for r in report.results:
        by_key.setdefault(asset_key_of(r.asset), []).append(r)
    untrusted: dict[dg.AssetKey, list] = {}
    for f in report.untrusted_files:
        untrusted.setdefault(asset_key_of(f.raw_table if "." in f.raw_table else f"raw.{f.raw_table}"), []).append(f)
    for key in keys:
        results = by_key.get(key, [])
        critical = [r for r in results if r.is_blocking]
        warnings = [r for r in results if not r.success and not r.is_blocking]
        files = untrusted.get(key, [])
        lines = [f"- CRITICAL `{r.expectation}`: {r.message}" for r in critical]
        lines += [f"- QUARANTINED file not trusted `{f.source_file}`: {f.failing_rows} of {f.file_rows} rows "
                  "failed critical rules; set aside whole" for f in files]
        lines += [f"- WARNING `{r.expectation}`: {r.message}" for r in warnings]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=check_name,
            passed=not (critical or files or warnings),
            severity=dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations": len(results),
                "critical_failures": len(critical),
                "files_set_aside": len(files),
                "set_aside_files": "\n".join(f.source_file for f in files),
                "warnings": len(warnings),
                "findings": dg.MetadataValue.md("\n".join(lines) or "all expectations met"),
                "data_docs": str(report.data_docs_index or ""),
            },
        )


def _selected(context: dg.AssetCheckExecutionContext, report,
              results: Iterable[dg.AssetCheckResult]) -> list[dg.AssetCheckResult]:
    """The results of the checks this run selected (GX validates every suite of its checkpoint regardless)."""
    results = list(results)
    if not report.ok and all(r.passed or r.severity != dg.AssetCheckSeverity.ERROR for r in results):
        # a stop the per-asset results do not carry: never let it pass silently
        raise dg.Failure(description=report.render(), allow_retries=False)
    selected = context.selected_asset_check_keys
    return [r for r in results if dg.AssetCheckKey(r.asset_key, r.check_name) in selected]


def _gates(engine: str, function, warehouse: WarehouseResource, spark_worker: SparkWorkerResource):
    """``function(build warehouse, data dir)``; on Spark with ``engine="spark"`` in the run's Spark worker (the
    Derby metastore admits one process)."""
    if engine != SPARK:
        return function(warehouse.build_warehouse_path(), warehouse.data_dir_path())
    data_dir = warehouse.data_dir_path()
    return spark_worker.call(function, warehouse.build_warehouse_path(), data_dir, engine=SPARK,
                             environment=spark_environment(data_dir))


def _gate_check(name: str, check_name: str, keys: Sequence[dg.AssetKey], description: str, gates: str,
                engine: str) -> dg.AssetChecksDefinition:
    """One blocking check ``check_name`` on each of ``keys``, evaluated together by one GX gate run:
    ``ccw.quality.<gates>(build warehouse, data dir)`` (run_raw_gates or run_mart_gates), imported when the check
    runs: GX's import takes seconds, and loading the definitions does not need it."""

    @dg.multi_asset_check(
        name=name,
        specs=[dg.AssetCheckSpec(check_name, asset=k, blocking=True, description=description) for k in keys],
        can_subset=True,
        pool=BUILD_DB_POOL,
    )
    def gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource,
             spark_worker: SparkWorkerResource):
        import ccw.quality

        report = _gates(engine, getattr(ccw.quality, gates), warehouse, spark_worker)
        context.log.info(report.render())
        yield from _selected(context, report, _check_results(report, check_name, keys))

    return gate


def build_quality_checks(dbt_keys: set[dg.AssetKey], engine: str = DUCKDB) -> list[dg.AssetChecksDefinition]:
    return [
        _gate_check("gx_raw_gates", RAW_CHECK, gated_raw_keys(),
                    "GX raw suite (ccw.quality): quarantines bad rows, stops on critical", "run_raw_gates", engine),
        _gate_check("gx_mart_gates", MART_CHECK, [k for k in gated_mart_keys() if k in dbt_keys],
                    "GX mart suite (ccw.quality): nothing is published past a critical", "run_mart_gates", engine),
    ]
