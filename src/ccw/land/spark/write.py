"""Land the files of one entity together: read them (``ccw.land.spark.read``), find the bad ones, write the rest.

Why together: a Spark job costs tenths of a second whatever its size, and the tiny preset alone has 259 files;
one file at a time would spend minutes on overhead. The files of an entity are one DataFrame (one reader call per
group of files with the same layout, so a file keeps its own header order and drift; Spark's ``_metadata.file_path``
tells each record's file), cached, and counted per file in one job: a file
with a malformed record (the reader's corrupt-record column) is quarantined with the count and the first record's
position, and its rows are not written. If the job itself fails (a Parquet page that cannot be decoded, a record
over the reader's limits), each file is tried alone, so one bad file never stops the others.

How a re-sent file REPLACES its rows: plain Parquet tables have no DELETE. Each file's rows sit in a folder of
their own under the raw table's location, ``file=<escaped relative path>/``: the write is
``partitionBy(file)`` with dynamic partition overwrite, which replaces exactly the folders of the files written
and leaves every other file's rows alone. The new version is committed before the old folder is dropped, so a
failed write keeps the earlier rows (as the DuckDB landing's transaction does). A re-sent file with no records
writes no folder: its old folder is deleted explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from ccw.exports import LANDING_COLUMNS, Entity
from ccw.land.errors import Unreadable, short
from ccw.land.outcomes import Landed
from ccw.land.spark.read import BAD, FILE, ORDER, Source, col, file_uri, group_key, read_group
from ccw.land.spark.tables import FILE_FOLDER_COLUMN, quoted, raw_table, table_location

_LABEL = {"jsonl": "corrupt JSON", "csv": "malformed CSV", "parquet": "unreadable Parquet"}
_RULE = "records_match_the_registry"


@dataclass(frozen=True)
class Counted:
    rows: int
    bad: int
    first_bad: int | None


def _batch(spark: SparkSession, sources: list[Source], at: datetime) -> DataFrame:
    """Every record of ``sources`` with the landing columns; ``_row_number`` the 1-based position in its file."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(group_key(source), []).append(source)
    files = {}
    for source in sources:
        file = source.pending.file
        files[file_uri(spark, source.path)] = F.struct(
            F.lit(file.relative).alias("relative"), F.lit(file.export_date).cast("date").alias("day"),
            F.lit(source.pending.fp.checksum).alias("checksum"))
    of_file = F.create_map(*(v for uri, value in files.items() for v in (F.lit(uri), value)))[col(FILE)]
    frame = None
    for group in groups.values():
        one = read_group(spark, group).withColumn("_of", of_file).select(
            *(col(n) for n in sources[0].entity.raw_columns),
            F.col("_of.relative").alias("_source_file"),
            F.col("_of.day").alias("_export_date"),
            F.lit(None).cast("bigint").alias("_row_number"),
            F.col("_of.checksum").alias("_file_checksum"),
            F.lit(at.replace(tzinfo=UTC)).cast("timestamp").alias("_landed_at"),
            col("_extra"), col(ORDER), col(BAD))
        frame = one if frame is None else frame.unionByName(one)
    assert frame is not None
    return frame.withColumn(
        "_row_number", F.row_number().over(Window.partitionBy("_source_file").orderBy(ORDER)).cast("bigint"))


def _count(frame: DataFrame) -> dict[str, Counted]:
    rows = frame.groupBy("_source_file").agg(
        F.count(F.lit(1)).alias("rows"),
        F.count(F.when(col(BAD), 1)).alias("bad"),
        F.min(F.when(col(BAD), col("_row_number"))).alias("first_bad"),
    ).collect()
    if any(r["_source_file"] is None for r in rows):  # a record Spark names by a path not asked for: never drop it
        raise RuntimeError("landing on Spark: records whose file could not be told (ccw.land.spark.read.file_uri)")
    return {r["_source_file"]: Counted(r["rows"], r["bad"], r["first_bad"]) for r in rows}


def _write(spark: SparkSession, entity: Entity, frame: DataFrame, good: list[str]) -> None:
    columns = [*entity.raw_columns, *LANDING_COLUMNS]
    (frame.where(col("_source_file").isin(good))
     .select(*(col(n) for n in columns), col("_source_file").alias(FILE_FOLDER_COLUMN))
     .write.mode("overwrite").option("partitionOverwriteMode", "dynamic").partitionBy(FILE_FOLDER_COLUMN)
     .parquet(table_location(spark, entity)))


def _drop_folder(spark: SparkSession, entity: Entity, relative: str) -> None:
    """Delete the rows of an earlier version of a file that now has no records (Hadoop's file system: any store)."""
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    escaped = jvm.org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils.escapePathName(relative)
    path = jvm.org.apache.hadoop.fs.Path(f"{table_location(spark, entity)}/{FILE_FOLDER_COLUMN}={escaped}")
    path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)  # type: ignore[attr-defined]


def _land(spark: SparkSession, entity: Entity, sources: list[Source], at: datetime) -> dict[str, Landed | Unreadable]:
    frame = _batch(spark, sources, at).persist()
    try:
        counted = _count(frame)
        out: dict[str, Landed | Unreadable] = {}
        for source in sources:
            relative = source.pending.file.relative
            got = counted.get(relative, Counted(0, 0, None))
            if got.bad:
                out[relative] = Unreadable(
                    f"{_LABEL[entity.file_format]} (rule {_RULE}): {got.bad:,} of {got.rows:,} record(s) malformed "
                    f"or not of the registry's types, the first at record {got.first_bad}")
            else:
                out[relative] = Landed(got.rows, tuple(source.layout.warnings if source.layout else ()))
        good = [r for r, v in out.items() if isinstance(v, Landed) and v.rows]
        if good:
            _write(spark, entity, frame, good)
    finally:
        frame.unpersist()
    for source in sources:
        result = out[source.pending.file.relative]
        if isinstance(result, Landed) and not result.rows and source.pending.replaces:
            _drop_folder(spark, entity, source.pending.file.relative)
    spark.sql(f"refresh table {quoted(raw_table(entity))}")
    return out


def _spark_errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    return (Py4JJavaError, PySparkException)


def land_sources(spark: SparkSession, entity: Entity, sources: list[Source], at: datetime,
                 ) -> dict[str, Landed | Unreadable]:
    """Land ``sources`` (files of ``entity``): per file, what landed or why it cannot. A failure of the batch is
    narrowed down by landing each file alone; a file that fails alone with an error naming it is unreadable, any
    other error (the engine, the catalogue, this code) stops the run."""
    if not sources:
        return {}
    try:
        return _land(spark, entity, sources, at)
    except _spark_errors() as exc:
        if len(sources) == 1:
            return {sources[0].pending.file.relative: _unreadable(entity, sources[0], exc)}
    out: dict[str, Landed | Unreadable] = {}
    for source in sources:
        try:
            out.update(_land(spark, entity, [source], at))
        except _spark_errors() as exc:
            out[source.pending.file.relative] = _unreadable(entity, source, exc)
    return out


def _unreadable(entity: Entity, source: Source, exc: BaseException) -> Unreadable:
    """The file's own error as a reason; re-raised when Spark's message does not name the file (not its fault)."""
    if source.path.name not in str(exc):
        raise exc
    return Unreadable(f"{_LABEL[entity.file_format]}: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    """The first line of Spark's error that says what is wrong (Spark nests the cause under a generic line)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    useful = [line for line in lines if "Exception:" in line or "[" in line]
    line = useful[-1] if useful else (lines[0] if lines else type(exc).__name__)
    return short(line.removeprefix("Caused by: "))

