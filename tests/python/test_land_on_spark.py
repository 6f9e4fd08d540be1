"""Landing on Spark (`ccw.land.spark.land_all_on_spark`, issue 20 item 2) against the rules of the DuckDB landing.

The rules, not the code's output, give the expectations: a corrupt JSON-lines file and a CSV without a required
column are quarantined with a reason naming their problem while the other files land (GB18030 decoded, gzip read);
a re-sent changed file replaces its rows, an unchanged one is `unchanged`; deleting a quarantined file retires its
quarantine record at the next landing. That the tiny preset lands with the same raw columns, rows and manifest
outcomes as on DuckDB is checked on the suite's one Spark build (test_spark_build.py). Last, in the same session: a
file the raw gates on Spark distrust is set aside whole, as on DuckDB, and the table can be read afterwards.

One Spark session for the whole file (a JVM start costs about 15 CPU-s; the untrusted-file test had a JVM of its own,
about 100 CPU-s in a clean-clone `make test`), started in the background at session start,
in a tmp data folder: `CCW_DATA_DIR` points the warehouse and the Derby metastore there; the JVM runs with its quick
compiler only and Spark without code generation (cheaper for a short session on small data). Skips, saying why, when
pyspark or Java is missing.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ccw.exports import LANDING_COLUMNS, entity
from ccw.land import LandingReport, land_all
from conftest import background_result, built_in_background


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (the optional extra `spark`: pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (Spark needs Java 17: apt-get install openjdk-17-jre-headless)"
    return None


def _spark_environ(data_dir: Path) -> dict[str, str]:
    """The `spark` target's settings for this module: its warehouse and Derby metastore in ``data_dir``; the JVM's
    quick compiler only (a short session spends a third of its CPU on the optimising one: landing the tiny preset 47
    instead of 79 CPU-s) and Spark without code generation (ccw.spark.SMALL_DATA_ENV)."""
    from ccw.spark import SMALL_DATA_ENV

    java = "CCW_SPARK_JAVA_OPTIONS"
    settings = {name: f"{os.environ.get(java, '')} {value}".strip() if name == java else value
                for name, value in SMALL_DATA_ENV.items()}
    return settings | {"CCW_DATA_DIR": str(data_dir)}


# nice=0: the foreground's tests run their Spark jobs in this session's JVM (it has the starting thread's priority)
@built_in_background("spark_env", nice=0)
def start_spark_session(data_dir: Path) -> tuple[Any, Path] | str:
    """The module's Spark session, started in a background thread at session start (conftest), or why it cannot
    start. In the foreground of a clean-clone `make test` the JVM's start waited for CPU behind the background
    builds: the module's first set-up took 281-295 s there, the whole module 48 s alone."""
    reason = _spark_missing()
    if reason:
        return reason
    from ccw.spark import spark_session

    spark = spark_session(_spark_environ(data_dir))
    # outside a test, pytest does not capture what the JVM writes: its warnings (with stack traces) stay out of the log
    spark.sparkContext.setLogLevel("ERROR")
    return spark, data_dir


@pytest.fixture(scope="module")
def spark_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """(Spark session, data folder): the `spark` target's session with its warehouse and metastore in tmp."""
    started = background_result("spark_env", tmp_path_factory)
    if isinstance(started, str):
        print(f"SKIPPED test_land_on_spark: {started}")
        pytest.skip(started)
    spark, data_dir = started
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _spark_environ(data_dir).items():
            mp.setenv(name, value)
        try:
            yield spark, data_dir
        finally:
            spark.stop()


def _land_spark(spark_env: tuple[Any, Path], raw_root: Path) -> LandingReport:
    from ccw.land.spark import land_all_on_spark

    spark, data_dir = spark_env
    return land_all_on_spark(raw_root, quarantine_dir=data_dir / "quarantine", spark=spark)


# ---------------------------------------------------------------- values as comparable text


def _plain(value: Any) -> Any:
    """A value both engines can be compared on: structs as sorted JSON, timestamps as UTC text, floats to 12
    significant digits, decimals and dates as text."""
    if hasattr(value, "asDict"):
        value = value.asDict(recursive=True)
    if isinstance(value, dict):
        return json.dumps({k: _plain(v) for k, v in value.items()}, sort_keys=True)
    if isinstance(value, list):
        return json.dumps([_plain(v) for v in value])
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date | Decimal):
        return str(value)
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


# ---------------------------------------------------------------- (1) the tiny preset on both engines


# (1) the tiny preset on both engines: compared in the suite's one Spark build (test_spark_build.py: the raw tables'
# columns, rows and the manifest's outcomes of the daily job's landing on Spark against DuckDB's landing)


# ---------------------------------------------------------------- (2)-(4) bad files, re-sent files, healing

#: the story's files sit in an account folder of their own, so they never share a path with the tiny preset's
EVENTS = "telephony@story/agent_events"
TICKETS = "helpdesk@story/ticket"
SURVEYS = "survey@story/responses"
TICKET_HEADER = list(entity("helpdesk", "ticket").columns)
SURVEY_HEADER = list(entity("survey", "responses").columns)


def _event(n: int) -> str:
    return json.dumps({"EventId": f"e-{n}", "Username": f"agent{n}", "EventTimestamp": f"2026-10-07T08:0{n}:00Z",
                       "State": "AVAILABLE"})


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _ticket(ticket_id: str, status: str) -> dict[str, str]:
    row = dict.fromkeys(TICKET_HEADER, "")
    row |= {"id": ticket_id, "created_at": "2026-10-07T09:00:00Z", "updated_at": "2026-10-07T10:00:00Z",
            "status": status, "subject": "Order,\n\"late\""}
    return row


def _write(raw_root: Path, relative: str, data: str | bytes) -> Path:
    path = raw_root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


COMMENT = "等待时间太长，客服很耐心"


@pytest.fixture(scope="module")
def story(spark_env: tuple[Any, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three landings of a small raw root, with what each left in the tables:
    1. good files, a corrupt JSON-lines file, a CSV lacking the required `status`, a GB18030 CSV, a gzip file;
    2. a good ticket file re-sent with other content (one more ticket), the rest unchanged;
    3. the corrupt JSON file deleted."""
    spark, _ = spark_env
    raw = tmp_path_factory.mktemp("story") / "raw"
    _write(raw, f"{EVENTS}/2026-10-07.jsonl", "\n".join(_event(n) for n in (1, 2)) + "\n")
    _write(raw, f"{EVENTS}/2026-10-08.jsonl", _event(3) + "\n" + '{"EventId": "e-4", "Username": \n' + _event(5) + "\n")
    _write(raw, f"{EVENTS}/2026-10-09.jsonl.gz", gzip.compress((_event(6) + "\n" + _event(7) + "\n").encode()))
    _write(raw, f"{TICKETS}/2026-10-07.csv", _csv(TICKET_HEADER, [_ticket("101", "open"), _ticket("102", "new")]))
    no_status = [h for h in TICKET_HEADER if h != "status"]
    _write(raw, f"{TICKETS}/2026-10-08.csv",
           _csv(no_status, [{k: v for k, v in _ticket("103", "open").items() if k != "status"}]))
    survey = dict.fromkeys(SURVEY_HEADER, "") | {"response_id": "r-1", "csat": "4", "comment": COMMENT}
    _write(raw, f"{SURVEYS}/2026-10-07.csv", _csv(SURVEY_HEADER, [survey]).encode("gb18030"))

    def snapshot(report: LandingReport) -> dict[str, Any]:
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in spark.sql(sql).collect()]

        return {
            "report": report,
            "outcomes": {f.path: f.outcome for f in report.files},
            "reasons": {f.path: f.reason for f in report.files},
            "tickets": sorted(rows("select _source_file, id, status, subject, _row_number from raw.helpdesk__ticket "
                                   "where _source_file like 'helpdesk@story/%'")),
            "events": sorted(rows("select _source_file, EventId, _row_number from raw.telephony__agent_events "
                                  "where _source_file like 'telephony@story/%'")),
            "surveys": rows("select comment, csat from raw.survey__responses where _source_file like 'survey@story/%'"),
            "quarantine": sorted(rows("select file_path, reason from raw._quarantine "
                                      "where file_path like '%@story/%'")),
            "manifest_quarantined": sorted(rows("select file_path, reason from raw._landing_manifest "
                                                "where outcome = 'quarantined' and file_path like '%@story/%'")),
            "retired": sorted(rows("select file_path from raw._quarantine_retired where file_path like '%@story/%' "
                                   "union all select file_path from raw._landing_manifest_retired "
                                   "where file_path like '%@story/%'")),
            "files_view": {r[0]: r[1:] for r in rows(
                "select file_path, last_outcome, landed_rows, is_quarantined from raw._landing_files "
                "where file_path like '%@story/%'")},
        }

    first = snapshot(_land_spark(spark_env, raw))
    _write(raw, f"{TICKETS}/2026-10-07.csv",
           _csv(TICKET_HEADER, [_ticket("101", "solved"), _ticket("102", "open"), _ticket("104", "new")]))
    second = snapshot(_land_spark(spark_env, raw))
    (raw / f"{EVENTS}/2026-10-08.jsonl").unlink()
    third = snapshot(_land_spark(spark_env, raw))
    return {"first": first, "second": second, "third": third}


def test_a_corrupt_json_file_and_a_csv_without_a_required_column_are_quarantined_the_rest_lands(story):
    first = story["first"]
    corrupt, no_status = f"{EVENTS}/2026-10-08.jsonl", f"{TICKETS}/2026-10-08.csv"
    assert first["outcomes"] == {
        f"{EVENTS}/2026-10-07.jsonl": "landed", corrupt: "quarantined", f"{EVENTS}/2026-10-09.jsonl.gz": "landed",
        f"{TICKETS}/2026-10-07.csv": "landed", no_status: "quarantined", f"{SURVEYS}/2026-10-07.csv": "landed"}
    # the reasons name the problem: which rule, how many
    assert "corrupt JSON" in first["reasons"][corrupt] and "1 of 3 record(s)" in first["reasons"][corrupt]
    assert "required_columns_present" in first["reasons"][no_status]
    assert "missing: status" in first["reasons"][no_status]
    assert dict(first["quarantine"]) == {corrupt: first["reasons"][corrupt], no_status: first["reasons"][no_status]}
    assert dict(first["manifest_quarantined"]) == dict(first["quarantine"])
    for path in (corrupt, no_status):
        report_row = next(f for f in first["report"].files if f.path == path)
        assert report_row.quarantine_path is not None and report_row.quarantine_path.exists()
    # none of a quarantined file's records landed; the good ones did, in file order (gzip read, GB18030 decoded)
    assert first["events"] == [(f"{EVENTS}/2026-10-07.jsonl", "e-1", 1), (f"{EVENTS}/2026-10-07.jsonl", "e-2", 2),
                               (f"{EVENTS}/2026-10-09.jsonl.gz", "e-6", 1),
                               (f"{EVENTS}/2026-10-09.jsonl.gz", "e-7", 2)]
    assert first["tickets"] == [(f"{TICKETS}/2026-10-07.csv", "101", "open", 'Order,\n"late"', 1),
                                (f"{TICKETS}/2026-10-07.csv", "102", "new", 'Order,\n"late"', 2)]
    assert first["surveys"] == [(COMMENT, "4")]


def test_a_resent_changed_file_replaces_its_rows_and_an_unchanged_file_is_unchanged(story):
    second = story["second"]
    resent = f"{TICKETS}/2026-10-07.csv"
    assert second["outcomes"][resent] == "replaced"
    assert second["outcomes"][f"{EVENTS}/2026-10-07.jsonl"] == "unchanged"
    assert second["outcomes"][f"{SURVEYS}/2026-10-07.csv"] == "unchanged"
    assert second["outcomes"][f"{EVENTS}/2026-10-08.jsonl"] == "quarantined"  # still: the file did not change
    assert second["reasons"][f"{EVENTS}/2026-10-08.jsonl"].startswith("still quarantined (file unchanged): ")
    assert [r[1:4] for r in second["tickets"]] == [("101", "solved", 'Order,\n"late"'),
                                                    ("102", "open", 'Order,\n"late"'), ("104", "new", 'Order,\n"late"')]
    assert second["files_view"][resent] == ("replaced", 3, False)
    assert second["events"] == story["first"]["events"]  # the unchanged files' rows stay as they were


def test_deleting_a_quarantined_file_retires_its_quarantine_record(story):
    third, gone = story["third"], f"{EVENTS}/2026-10-08.jsonl"
    assert third["report"].retired == [gone]
    assert gone not in dict(third["quarantine"]) and gone not in dict(third["manifest_quarantined"])
    assert third["retired"].count((gone,)) == 3  # its quarantine row and its two quarantined attempts
    assert f"{TICKETS}/2026-10-08.csv" in dict(third["quarantine"])  # still there: that file was not deleted
    assert gone not in third["files_view"]


def test_the_raw_tables_on_spark_have_the_landing_columns_last_with_the_duckdb_types(spark_env, story):
    spark, _ = spark_env
    types = dict(spark.table("raw.telephony__contact_records").dtypes)
    assert list(spark.table("raw.telephony__contact_records").columns)[-len(LANDING_COLUMNS):] == list(LANDING_COLUMNS)
    assert (types["_source_file"], types["_export_date"], types["_row_number"], types["_landed_at"]) == (
        "string", "date", "bigint", "timestamp")
    assert types["Queue"].startswith("struct<Name:string,ARN:string")
    assert types["Recording"] == "string"  # JSON text, as DuckDB's JSON type
    assert dict(spark.table("raw.crm__orders").dtypes)["amount"] == "decimal(12,2)"


# ---------------------------------------------------------------- schema drift, as columns.py rules it


@pytest.fixture(scope="module")
def drift(spark_env: tuple[Any, Path], tmp_path_factory: pytest.TempPathFactory):
    """Files whose fields differ from the registry, landed by both engines: (DuckDB report, warehouse, Spark
    report)."""
    base = tmp_path_factory.mktemp("drift")
    raw = base / "raw"
    records = [
        {"ContactId": "c-1", "InitiationMethod": "INBOUND", "InitiationTimestamp": "2026-10-07T08:00:00Z",
         "Queue": {"Name": "Billing", "Flow": {"id": 7}}, "NewField": 12.5, "Flag": True},
        {"ContactId": "c-2", "InitiationMethod": "INBOUND", "InitiationTimestamp": "2026-10-07T09:00:00Z",
         "Queue": {"Name": "Sales"}, "NewField": None},
    ]
    _write(raw, "telephony@drift/contact_records/2026-10-07.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    header = [h for h in TICKET_HEADER if h != "type"] + ["priority_score"]
    row = {k: v for k, v in _ticket("201", "open").items() if k != "type"} | {"priority_score": "0.7"}
    _write(raw, "helpdesk@drift/ticket/2026-10-07.csv", _csv(header, [row]))
    duck = land_all(raw, base / "drift.duckdb", quarantine_dir=base / "quarantine", loaders=[])
    return duck, base / "drift.duckdb", _land_spark(spark_env, raw)


def test_schema_drift_lands_as_on_duckdb_unknown_fields_in_extra_missing_optional_ones_null(spark_env, drift):
    spark, _ = spark_env
    duck, warehouse, on_spark = drift
    assert [f.outcome for f in on_spark.files] == ["landed", "landed"]
    assert {f.path: f.warnings for f in on_spark.files} == {f.path: f.warnings for f in duck.files}
    assert all(f.warnings for f in on_spark.files)  # unknown fields kept, missing optional ones named
    for table, key, extra_of in (("telephony__contact_records", "ContactId", "Queue"),
                                 ("helpdesk__ticket", "id", "type")):
        sql = f"select {key}, _extra, {extra_of} from raw.{table} where _source_file like '%@drift/%' order by 1"
        with duckdb.connect(str(warehouse), read_only=True) as con:
            expected = [(k, json.loads(x) if x else None, _plain(v)) for k, x, v in con.execute(sql).fetchall()]
        got = [(k, json.loads(x) if x else None, _plain(v)) for k, x, v in spark.sql(sql).collect()]
        assert got == expected, table
    assert expected[0][1] == {"priority_score": "0.7"} and expected[0][2] is None


def test_a_parquet_file_spark_cannot_decode_is_quarantined_alone_and_an_emptied_resent_file_leaves_no_rows(
        spark_env, tmp_path_factory):
    """A Parquet file with a valid footer and damaged pages fails only when Spark reads it: the entity's batch is
    narrowed down file by file; a file that is not Parquet fails at its footer. A file re-sent with no records
    replaces its rows with none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    spark, _ = spark_env
    raw = tmp_path_factory.mktemp("parquet") / "raw"
    folder = raw / "crm@pq" / "orders"
    folder.mkdir(parents=True)

    def orders(first: int, n: int) -> pa.Table:
        return pa.table({"order_id": [f"o{i}" for i in range(first, first + n)], "customer_id": ["c-1"] * n,
                         "ordered_at": [datetime(2026, 10, 7, 8)] * n,
                         "amount": pa.array([Decimal("1.50")] * n, pa.decimal128(12, 2)),
                         "currency": ["EUR"] * n, "status": ["paid"] * n})

    pq.write_table(orders(0, 2000), folder / "2026-10-07.parquet", compression="none")
    pq.write_table(orders(5000, 2000), folder / "2026-10-08.parquet", compression="none", use_dictionary=False)
    damaged = bytearray((folder / "2026-10-08.parquet").read_bytes())
    damaged[len(damaged) // 3: len(damaged) // 3 + 2000] = bytes(range(256)) * 7 + bytes(208)
    (folder / "2026-10-08.parquet").write_bytes(bytes(damaged))
    (folder / "2026-10-09.parquet").write_bytes(b"not parquet at all")

    def counts() -> dict[str, int]:
        return {r[0]: r[1] for r in spark.sql("select _source_file, count(*) from raw.crm__orders "
                                              "where _source_file like 'crm@pq/%' group by 1").collect()}

    first = {f.path: f for f in _land_spark(spark_env, raw).files}
    assert {p: f.outcome for p, f in first.items()} == {"crm@pq/orders/2026-10-07.parquet": "landed",
                                                       "crm@pq/orders/2026-10-08.parquet": "quarantined",
                                                       "crm@pq/orders/2026-10-09.parquet": "quarantined"}
    assert all(first[p].reason.startswith("unreadable Parquet: ") for p in first if first[p].outcome != "landed")
    assert counts() == {"crm@pq/orders/2026-10-07.parquet": 2000}
    pq.write_table(orders(0, 0), folder / "2026-10-07.parquet")
    second = {f.path: (f.outcome, f.rows) for f in _land_spark(spark_env, raw).files}
    assert second["crm@pq/orders/2026-10-07.parquet"] == ("replaced", 0)
    assert counts() == {}


# ---------------------------------------------------------------- (5) an untrusted file, set aside whole by the gates


def _plant_blank_keys(raw_root: Path) -> tuple[str, int, int]:
    """Blank ``customer_id`` (the key: a critical row rule) in every tenth row of the largest CRM customers file:
    (its path under the raw root, rows blanked, rows in the file)."""
    files = sorted((raw_root / "crm" / "customers").glob("*.csv"), key=lambda p: (p.stat().st_size, p.name))
    target = files[-1]
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    key = header.index("customer_id")
    for index in range(0, len(body), 10):
        body[index][key] = "  "
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body])
    return target.relative_to(raw_root).as_posix(), len(range(0, len(body), 10)), len(body)


def test_an_untrusted_file_is_set_aside_whole_on_spark_as_on_duckdb(spark_env, tmp_path, monkeypatch):
    """A critical raw problem planted in one export file (the key blanked in a tenth of its rows) stops the raw gate
    on Spark as on DuckDB: the same file distrusted for the same rule, its rows all set aside, and the table can be
    read afterwards in the same session. On Spark, in this module's session after the landing tests (none of them
    touches the CRM customers table), with only the customers' suite: the gates on Spark judge whole tables, and each
    expectation of an empty table is a Spark job all the same; the DuckDB gates judge only the tables with new
    files."""
    from ccw.generate import GeneratorConfig, generate
    from ccw.land.spark import land_all_on_spark
    from ccw.quality import run_raw_gates, suites

    sample = tmp_path / "sample"
    generate(GeneratorConfig.preset("tiny"), sample, progress=False)
    path, blanked, file_rows = _plant_blank_keys(sample)
    for engine in ("duckdb", "spark"):  # the same planted file for both engines
        shutil.copytree(sample / "crm" / "customers", tmp_path / engine / "raw" / "crm" / "customers")
    reports = {}
    duck = tmp_path / "duckdb"
    land_all(duck / "raw", duck / "build" / "warehouse.duckdb", duck / "quarantine")
    reports["duckdb"] = run_raw_gates(duck / "build" / "warehouse.duckdb", duck)
    every_suite = suites.raw_suites
    monkeypatch.setattr(suites, "raw_suites", lambda: [s for s in every_suite() if s.name == "raw.crm__customers"])
    spark, data_dir = spark_env
    land_all_on_spark(tmp_path / "spark" / "raw", tmp_path / "spark" / "quarantine", spark=spark)
    reports["spark"] = run_raw_gates(data_dir / "build" / "warehouse.duckdb", data_dir, engine="spark")
    assert blanked >= 10 and blanked / file_rows > 0.05  # over the 1 % a file may fail before it is not trusted
    for engine, report in reports.items():
        assert [(f.source_file, f.raw_table, f.failing_rows, f.file_rows, dict(f.rules))
                for f in report.untrusted_files] == [
            (path, "crm__customers", blanked, file_rows, {"customer_id_present": blanked})], engine
        # the blank keys under their rule, then the file's other rows: the untrusted file is set aside whole
        assert report.quarantined_rows == file_rows, engine
    assert [r.expectation for r in reports["spark"].results if r.severity == "critical" and not r.success] == [
        r.expectation for r in reports["duckdb"].results if r.severity == "critical" and not r.success]
    kept = spark.sql(f"select count(*) from raw.crm__customers where _source_file = '{path}'").collect()[0][0]
    assert kept == 0
