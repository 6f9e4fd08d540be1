"""The GX expectation suites, built from the rule specifications (``raw_rules``, ``mart_rules``).

Every expectation carries its ``severity`` (GX's own field: critical | warning) and, in ``meta``, the rule
name and kind (schema | row | file | table) the gate code acts on.

GX's own expectations where one says what the rule says: the raw tables' column set
(``ExpectTableColumnsToMatchSet``) and at least one row (``ExpectTableRowCountToBeBetween``), the marts' bands
(``ExpectColumnValuesToBeBetween``). Query rules are custom SQL, GX ``UnexpectedRowsExpectation``s
(``ExpectNoFailingRows``, one query per rule): the query returns what fails, so the suite JSON shows the SQL. They
are what GX lacks or cannot say the same way on DuckDB: exact DuckDB column types, the key and enumerations read as
staging reads them, copies within a file, timestamps in several formats, durations inside structs, references to
other tables, same-weekday volume bands (``raw_rules`` gives each reason and its measurements); file trust and
quarantine are the gates' own (``ccw.quality.quarantine``).
"""

from __future__ import annotations

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from ccw.exports import LANDING_COLUMNS
from ccw.quality import mart_rules, raw_rules
from ccw.quality.expectation import ExpectNoFailingRows
from ccw.quality.raw_rules import CRITICAL, SCHEMA, TABLE, WARNING, Rule

RAW_PREFIX, MART_PREFIX = "raw", "marts"


def suite_name(schema: str, table: str) -> str:
    return f"{schema}.{table}"


def _meta(rule: str, kind: str, **extra: object) -> dict:
    return {"rule": rule, "kind": kind, **extra}


def _rule_expectation(rule: Rule) -> ExpectNoFailingRows:
    return ExpectNoFailingRows(
        unexpected_rows_query=rule.query,
        description=rule.description,
        severity=rule.severity,
        meta=_meta(rule.name, rule.kind),
    )


def raw_suite(spec: raw_rules.RawSpec, accepted: dict, queues: dict) -> gx.ExpectationSuite:
    entity = spec.entity
    columns = {**entity.raw_columns, **LANDING_COLUMNS}
    suite = gx.ExpectationSuite(
        name=suite_name(RAW_PREFIX, spec.table),
        meta={"notes": f"Raw gate of {entity.system}/{entity.name} exports ({entity.description}) before dbt."},
    )
    suite.add_expectation(gx.expectations.ExpectTableColumnsToMatchSet(
        column_set=list(columns), exact_match=True, severity=CRITICAL,
        description="the columns of the export registry (ccw.exports) and landing, no more, no less",
        meta=_meta("columns_match_registry", SCHEMA),
    ))
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(
        min_value=1, severity=WARNING, description="at least one row has landed", meta=_meta("has_rows", TABLE),
    ))
    for rule in raw_rules.rules_for(spec, accepted, queues):
        suite.add_expectation(_rule_expectation(rule))
    return suite


def mart_suite(spec: mart_rules.MartSpec) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(
        name=suite_name(MART_PREFIX, spec.table),
        meta={"notes": f"Mart gate of marts.{spec.table} before publishing."},
    )
    for band in spec.bands:
        condition = {"row_condition": Column("channel").is_in(list(band.channels))} if band.channels else {}
        scope = f" ({', '.join(band.channels)})" if band.channels else ""
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
            column=band.column, min_value=band.low, max_value=band.high, mostly=band.mostly, severity=band.severity,
            description=f"{band.column} within [{band.low:g}, {band.high:g}]{scope}: {band.note}",
            meta=_meta(f"{band.column}_within_{band.low:g}_{band.high:g}", TABLE),
            **condition,
        ))
    for rule in spec.rules:
        suite.add_expectation(_rule_expectation(rule))
    return suite


def raw_suites() -> list[gx.ExpectationSuite]:
    accepted, queues = raw_rules.staging_accepted_values(), raw_rules.queue_refs()
    return [raw_suite(spec, accepted, queues) for spec in raw_rules.SPECS]


def mart_suites() -> list[gx.ExpectationSuite]:
    return [mart_suite(spec) for spec in mart_rules.SPECS]
