"""``land_all_on_spark``: the DuckDB landing's rules, with Spark's readers and raw tables.

The same scan, path judgement, fingerprints, decisions and quarantine copies as ``ccw.land.runner.land_all`` (the
functions are shared, not copied); what differs is where the rows go (``ccw.land.spark.write``) and where the
bookkeeping goes (``ccw.land.spark.store.SparkStore``). Every file is planned first; then the files to land are
read entity by entity.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ccw.land.errors import Unreadable
from ccw.land.fingerprint import utc_now
from ccw.land.outcomes import FileResult, LandingReport
from ccw.land.runner import Pending, judge_paths, landed_result, plan_file, quarantined_result
from ccw.land.spark.read import Source, csv_source, json_layouts, parquet_source
from ccw.land.spark.store import SparkStore
from ccw.land.spark.tables import ensure_spark_tables, landed_root
from ccw.land.spark.write import land_sources

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Spark 4 decodes CSV in a few Unicode charsets only unless this is on; GB18030 needs it (SPARK-48857)
_JAVA_CHARSETS = "spark.sql.legacy.javaCharsets"


def _sources(spark: SparkSession, pendings: list[Pending], workdir: Path) -> dict[str, Source | Unreadable]:
    """Each planned file of one entity ready to read, or why it cannot land."""
    entity = pendings[0].file.entity
    assert entity is not None
    if entity.file_format == "jsonl":
        return json_layouts(spark, pendings, workdir)
    out: dict[str, Source | Unreadable] = {}
    for pending in pendings:
        try:
            out[pending.file.relative] = (csv_source(pending, workdir) if entity.file_format == "csv"
                                          else parquet_source(pending))
        except Unreadable as exc:
            out[pending.file.relative] = exc
    return out


def _land_entity(spark: SparkSession, store: SparkStore, pendings: list[Pending], run_id: str, qdir: Path,
                 workdir: Path) -> list[FileResult]:
    entity = pendings[0].file.entity
    assert entity is not None
    prepared = _sources(spark, pendings, workdir)
    at = utc_now()
    landed = land_sources(spark, entity, [s for s in prepared.values() if isinstance(s, Source)], at)
    results = []
    for pending in pendings:
        outcome = landed.get(pending.file.relative) or prepared[pending.file.relative]
        if isinstance(outcome, Unreadable):
            results.append(quarantined_result(store, pending, outcome.reason, run_id, qdir))
            continue
        assert not isinstance(outcome, Source)
        store.record_attempt(run_id, pending.file, pending.fp, outcome.rows, at,
                             "replaced" if pending.replaces else "landed", "; ".join(outcome.warnings) or None,
                             pending.export_kind)
        results.append(landed_result(pending, outcome))
    store.flush()
    return results


def land_all_on_spark(
    raw_root: Path, quarantine_dir: Path | None = None, history: bool = False, today: date | None = None,
    spark: SparkSession | None = None,
) -> LandingReport:
    """Land every new or changed file under ``raw_root`` into the raw tables of the Spark catalogue; the same
    outcomes, manifest, quarantine and refusals as ``ccw.land.land_all`` (see ``ccw.land.runner``).

    ``spark``: the session to use (default: the `spark` dbt target's, ``ccw.spark.spark_session``; it is left
    running). ``quarantine_dir`` defaults to ``<data dir>/quarantine``. Loader sources (``CCW_LOADER_SOURCES``) are
    not imported here: they are DuckDB files, exported by the DuckDB landing.
    """
    if quarantine_dir is None:
        from ccw.config import settings

        quarantine_dir = settings().quarantine_dir
    if spark is None:
        from ccw.spark import spark_session

        spark = spark_session()
    started = time.perf_counter()
    spark.conf.set(_JAVA_CHARSETS, "true")
    ensure_spark_tables(spark)
    report = LandingReport(raw_root=raw_root, warehouse=Path(landed_root(spark)), run_id=uuid.uuid4().hex)
    store = SparkStore(spark)
    try:
        judged = judge_paths(store, raw_root, report, today)
        planned: dict[str, list[Pending]] = defaultdict(list)
        for file in judged.found.files:
            step = plan_file(store, file, judged.state.get(file.relative), report.run_id, quarantine_dir, raw_root,
                             judged.export_kind(file, history))
            if isinstance(step, FileResult):
                report.files.append(step)
            else:
                planned[file.table or ""].append(step)
        with tempfile.TemporaryDirectory(prefix="ccw-land-spark-") as workdir:
            for table in sorted(planned):
                report.files += _land_entity(spark, store, planned[table], report.run_id, quarantine_dir,
                                             Path(workdir))
    finally:
        store.flush()
    report.files.sort(key=lambda f: f.path)
    report.seconds = time.perf_counter() - started
    return report
