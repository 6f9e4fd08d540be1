"""The raw and mart gates on Spark (``CCW_ENGINE=spark``): the same suites, run by GX's Spark data source.

    report = run_on_spark("raw", data_dir, max_bad_share)    # what run_raw_gates(..., engine="spark") calls

- **Suites**: the ones ``ccw.quality.suites`` builds (from which ``expectations/`` is synced, and which the DuckDB
  gates run); each custom-SQL rule's DuckDB query is given to GX translated to Spark SQL (``spark_sql.to_spark``),
  and the results carry the rule's own (DuckDB) text again.
- **Data**: an ephemeral GX context with ``context.data_sources.add_spark``; one dataframe asset per gated table,
  its batch ``spark.table("<schema>.<table>")`` (``{batch}`` in a rule is GX's temporary view of that DataFrame).
- **What a raw run judges**: the whole raw table, every run (the DuckDB gates judge only the files landed since they
  last passed, ``ccw.quality.batches``: their batch views and state live in the DuckDB build file).
- **Quarantine**: rows failing a critical row rule are recorded in the Spark table ``quality.quarantined_rows``
  (the DuckDB table's columns; ``data_quality_daily`` counts them on Spark as on DuckDB) and taken out of the raw
  table: Parquet has no DELETE, so the landing's folders of the files concerned (one per file,
  ``ccw.land.spark.write``) are written again with the rows kept. Files are judged by the DuckDB gates' own query
  (``quarantine.untrusted_files``, translated), on Spark's ``raw._landing_files`` and ``quality.quarantined_rows``.
- **Results**: ``quality.gate_results`` on Spark; no Data Docs (the file project's Data Docs site is the DuckDB
  gates'; ``report.data_docs_index`` stays None).
- **Not run on Spark** (``NOT_ON_SPARK``): ``column_types_match_registry``: the registry's types are DuckDB's
  (``VARCHAR``, ``STRUCT(...)``, ``JSON``) and the rule reads DuckDB's ``describe``; Spark's catalogue types differ
  by name for the same data (string, struct<...>). The column *names* are still checked (GX's
  ``ExpectTableColumnsToMatchSet``). The rule's result says it was not run.

Run it where no other process holds the Spark metastore (embedded Derby): in a run, the run's Spark worker
(``ccw.spark_worker``), whose session the other steps use too.
"""

from __future__ import annotations

import copy
import dataclasses
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ccw.land.fingerprint import utc_now
from ccw.quality.expectation import ExpectNoFailingRows
from ccw.quality.results import Checked, checked_from
from ccw.quality.spark_sql import to_spark
from ccw.quality.verdicts import GateReport, GateResult
from ccw.sqltext import literal

RAW, MART = "raw", "mart"
NOT_ON_SPARK = {
    "column_types_match_registry": "not run on Spark: the registry's column types are DuckDB's and the rule reads "
                                   "DuckDB's describe (the column names are checked by columns_match_registry)",
}
_QUARANTINE_COLUMNS = ("run_id string, quarantined_at timestamp, raw_table string, source_file string, "
                       "file_checksum string, export_date date, row_number bigint, rule string, "
                       "rule_description string, row_data string")
_RESULT_COLUMNS = ("run_id string, stage string, checked_at timestamp, suite string, asset string, "
                   "expectation string, severity string, success boolean, observed string, message string")


class _Result:
    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


class SparkSql:
    """What the gate code asks of a DuckDB connection (``execute(sql, params).fetchall()``), on Spark: the DuckDB SQL
    translated by ``to_spark``, ``?`` parameters bound as literals."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def execute(self, sql: str, params: list | None = None) -> _Result:
        for value in params or []:
            sql = sql.replace("?", repr(value) if isinstance(value, int | float) else literal(str(value)), 1)
        return _Result([tuple(row) for row in self.spark.sql(to_spark(sql)).collect()])


def _relation(suite: str) -> str:
    schema, table = suite.split(".", 1)
    return f'{schema}."{table}"'


def _sql_of(c: Checked) -> str:
    """A rule's query on its relation (on Spark the batch is the whole table)."""
    return str(c.query).format(batch=_relation(c.suite))


def _exists(spark: Any, schema: str, table: str) -> bool:
    return bool(spark.catalog.tableExists(f"{schema}.{table}"))


def ensure_tables(spark: Any) -> None:
    spark.sql("create database if not exists quality")
    spark.sql(f"create table if not exists quality.quarantined_rows ({_QUARANTINE_COLUMNS}) using parquet")
    spark.sql(f"create table if not exists quality.gate_results ({_RESULT_COLUMNS}) using parquet")


def set_aside_on_spark(con: SparkSql, run_id: str, at: datetime, raw_table: str,
                       failing: list[tuple[str, str, str]]) -> int:
    """``ccw.quality.quarantine.set_aside`` on Spark: record each rule's failing rows in ``quality.quarantined_rows``,
    then take them out of ``raw.<raw_table>``. Parquet has no DELETE: landing keeps each file's rows in a folder of
    their own (``ccw.land.spark.write``), so the folders of the files concerned are written again with the rows kept
    (from a staged copy: Spark cannot overwrite what it reads), and a folder left with no row is deleted."""
    from pyspark.sql import functions as F

    from ccw.exports import BY_TABLE, LANDING_COLUMNS
    from ccw.land.spark.tables import FILE_FOLDER_COLUMN, table_location

    spark = con.spark
    relation = f"raw.`{raw_table}`"
    keys = None
    for rule, description, failing_sql in failing:
        rule_keys = spark.sql(to_spark(f"select distinct _source_file, _row_number from ({failing_sql}) as f"))
        spark.table(relation).join(rule_keys, ["_source_file", "_row_number"], "left_semi") \
            .createOrReplaceTempView("ccw_quarantine_rows")
        spark.sql(
            f"insert into quality.quarantined_rows select {literal(run_id)}, "
            f"timestamp {literal(at.isoformat(sep=' '))}, {literal(raw_table)}, _source_file, _file_checksum, "
            f"cast(_export_date as date), _row_number, {literal(rule)}, {literal(description)}, "
            "to_json(struct(*)) from ccw_quarantine_rows"
        )
        keys = rule_keys if keys is None else keys.union(rule_keys)
    if keys is None:
        return 0
    keys = keys.distinct().localCheckpoint()
    moved = keys.count()
    entity = BY_TABLE[raw_table]
    location = table_location(spark, entity)
    files = [r[0] for r in keys.select("_source_file").distinct().collect()]
    staged = f"{location.rsplit('/', 2)[0]}/quarantine_staging/{run_id}-{raw_table}"
    spark.table(relation).where(F.col("_source_file").isin(files)) \
        .join(keys, ["_source_file", "_row_number"], "left_anti") \
        .select(*entity.raw_columns, *LANDING_COLUMNS).write.mode("overwrite").parquet(staged)
    kept = spark.read.parquet(staged)
    kept.select(*kept.columns, F.col("_source_file").alias(FILE_FOLDER_COLUMN)).write.mode("overwrite") \
        .option("partitionOverwriteMode", "dynamic").partitionBy(FILE_FOLDER_COLUMN).parquet(location)
    still = {r[0] for r in kept.select("_source_file").distinct().collect()}
    jvm = spark.sparkContext._jvm
    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    for relative in sorted(set(files) - still):  # every row of the file set aside: its folder goes
        escaped = jvm.org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils.escapePathName(relative)
        path = jvm.org.apache.hadoop.fs.Path(f"{location}/{FILE_FOLDER_COLUMN}={escaped}")
        path.getFileSystem(hadoop).delete(path, True)
    staging = jvm.org.apache.hadoop.fs.Path(staged)
    staging.getFileSystem(hadoop).delete(staging, True)
    spark.catalog.refreshTable(relation)
    return int(moved)


def _store(spark: Any, run_id: str, stage: str, at: datetime, results: list[GateResult]) -> None:
    if not results:
        return
    rows = pa.table({
        "run_id": [run_id] * len(results), "stage": [stage] * len(results),
        "checked_at": pa.array([at] * len(results), pa.timestamp("us")),
        "suite": [r.suite for r in results], "asset": [r.asset for r in results],
        "expectation": [r.expectation for r in results], "severity": [r.severity for r in results],
        "success": [r.success for r in results], "observed": pa.array([r.observed for r in results], pa.string()),
        "message": [r.message for r in results],
    })
    spark.createDataFrame(rows).write.insertInto("quality.gate_results")


def _nested_fields(schema: Any, top_level: set[str]) -> list[str]:
    """``Struct.Field`` paths (at any depth) of the struct columns named in ``top_level``, as GX's Spark
    ``table.columns`` metric names them."""
    from pyspark.sql.types import StructType

    def walk(prefix: str, kind: Any) -> list[str]:
        if not isinstance(kind, StructType):
            return []
        return [path for f in kind.fields for path in (f"{prefix}.{f.name}", *walk(f"{prefix}.{f.name}", f.dataType))]

    return [path for f in schema.fields if f.name in top_level for path in walk(f.name, f.dataType)]


def _validate(spark: Any, context: Any, suites: list, report: GateReport) -> tuple[list[Checked], list[GateResult]]:
    """Every suite on its table through GX's Spark data source: (what GX found, rules not run on Spark)."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from ccw.quality.project import Validations

    source = context.data_sources.add_spark(name="spark")
    run = RunIdentifier(run_name=f"{report.stage}-{report.run_id}")
    original: dict[str, str] = {}
    not_run: list[GateResult] = []
    run_results: dict = {}
    for suite in suites:
        schema, table = suite.name.split(".", 1)
        suite = copy.deepcopy(suite)
        exists = _exists(spark, schema, table)
        frame = spark.table(f"{schema}.`{table}`") if exists else None
        for expectation in list(suite.expectations):
            if isinstance(expectation, gx.expectations.ExpectTableColumnsToMatchSet) and frame is not None:
                # GX's Spark column metric lists the fields of struct columns as columns of their own
                expectation.column_set = [*expectation.column_set,
                                          *_nested_fields(frame.schema, set(expectation.column_set))]
            rule = (expectation.meta or {}).get("rule")
            if rule in NOT_ON_SPARK:
                suite.expectations.remove(expectation)
                not_run.append(GateResult(suite.name, suite.name, rule, str(getattr(
                    expectation.severity, "value", expectation.severity)), True, None, NOT_ON_SPARK[rule]))
            elif isinstance(expectation, ExpectNoFailingRows):
                translated = to_spark(expectation.unexpected_rows_query)
                original[translated] = expectation.unexpected_rows_query
                expectation.unexpected_rows_query = translated
        if frame is None:
            not_run.append(GateResult(suite.name, suite.name, "table_exists", "warning", False, None,
                                      f"{schema}.{table} does not exist on Spark: not validated"))
            continue
        asset = source.add_dataframe_asset(name=suite.name)
        batch = asset.add_batch_definition_whole_dataframe("whole")
        suite = context.suites.add(suite)
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch,
                                                                                suite=suite))
        result = definition.run(batch_parameters={"dataframe": frame},
                                result_format={"result_format": "SUMMARY"}, run_id=run)
        key = ValidationResultIdentifier(expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
                                         run_id=run, batch_identifier=result.batch_id)
        run_results[key] = result
    checked = [dataclasses.replace(c, query=original.get(c.query, c.query)) if c.query else c
               for c in checked_from(Validations(run_results))]
    return checked, not_run


def run_on_spark(stage: str, data_dir: Path, max_bad_share: float) -> GateReport:
    """One gate run on the Spark tables of the `spark` dbt target (``stage``: raw | mart)."""
    from ccw.quality import gates, suites
    from ccw.quality.quarantine import set_aside_untrusted, untrusted_files
    from ccw.spark import spark_session

    started = time.perf_counter()
    report = GateReport(stage=stage, run_id=uuid.uuid4().hex, max_bad_share=max_bad_share)
    spark = spark_session()
    con = SparkSql(spark)
    ensure_tables(spark)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")  # the suites are built in it
    gated = suites.raw_suites() if stage == RAW else suites.mart_suites()
    checked, not_run = _validate(spark, context, gated, report)
    at = utc_now()
    if stage == RAW:
        results, report.quarantined_rows = gates._raw_results(con, report.run_id, at, checked,
                                                              set_aside=set_aside_on_spark, sql_of=_sql_of)
        if _exists(spark, "raw", "_landing_files"):
            report.untrusted_files = untrusted_files(con, report.max_bad_share)
            report.quarantined_rows += set_aside_untrusted(con, report.run_id, at, report.untrusted_files,
                                                           report.max_bad_share, set_aside_rows=set_aside_on_spark)
        else:  # a check that cannot run must not pass
            results.append(GateResult("raw._landing_files", "raw._landing_files", "files_trusted", "critical",
                                      False, None, "raw._landing_files does not exist on Spark: files "
                                      "cannot be judged"))
    else:
        results = [gates._plain_result(con, c, _sql_of) for c in checked]
    report.results = results + not_run
    _store(spark, report.run_id, stage, at, report.results)
    # GX's Spark data source keeps each batch it validated cached. After an untrusted file was set aside whole (its
    # folder deleted), the cached batch still listed the file, and the next query of the table in this session
    # failed with FAILED_READ_FILE.FILE_NOT_EXIST (test_land_on_spark); in a run, the next reader is dbt, in the
    # same Spark worker. Nothing reads those batches again.
    spark.catalog.clearCache()
    report.seconds = time.perf_counter() - started
    return report
