"""Each export file as a Spark DataFrame in the shape of its raw table, read by Spark's own readers.

- JSON lines: ``spark.read.json`` with an explicit schema from the registry types (no inference); a STRUCT column
  with unknown keys and each unknown top-level field read as VARIANT, so the keys the registry does not know can be
  kept in ``_extra`` as JSON with their types. Which keys a file has is found first (:func:`json_layouts`: Spark's
  ``json_object_keys`` over the file's lines, one job for all files of an entity) and judged by
  ``ccw.land.columns.json_layout``, the DuckDB landing's own rule.
- CSV: ``spark.read.csv`` with the header (read here with the entity's encoding and judged by
  ``ccw.land.columns.check_csv``) as an all-string schema, ``multiLine`` (a quoted value may hold a newline;
  such a file is then read whole, in order) and the entity's ``encoding`` (Spark decodes GB18030 itself; the bytes
  are checked first, ``ccw.land.transcode.check_encoding``, since Spark would put U+FFFD for a bad sequence).
- Parquet: ``spark.read.parquet`` (its schema judged by ``ccw.land.columns.compare``), each column cast to the
  registry type.

Spark reads PERMISSIVE by default and lands nulls for a malformed record; here each JSON and CSV reader keeps the
raw text of such a record in a corrupt-record column, and ``_bad`` marks it, so ``ccw.land.spark.write`` quarantines
the file instead. ``_order`` is the record's position in its file (``_metadata.row_index`` for Parquet; the split's
start and the row's increasing id within it for text, which Spark reads in file order).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ccw.exports import EXTRA_COLUMN, Entity
from ccw.land.columns import Layout, check_csv, compare, json_layout, json_struct_fields, struct_fields
from ccw.land.errors import Unreadable
from ccw.land.runner import Pending
from ccw.land.spark.types import spark_type
from ccw.land.transcode import check_encoding, gunzip_to, is_gzip

CORRUPT = "_corrupt_record"
#: the helper columns every file's DataFrame carries besides the raw table's
ORDER, BAD, FILE = "_order", "_bad", "_file"


def col(name: str) -> Column:
    """A column by its exact name (dots and backticks in export field names are not paths)."""
    return F.col("`" + name.replace("`", "``") + "`")


@dataclass(frozen=True)
class Source:
    """One file to read: the planned file, the path Spark reads and how its fields relate to the registry."""

    pending: Pending
    path: Path
    layout: Layout | None = None
    schema: T.StructType | None = None  # Parquet: the file's own schema (read from its footer)

    @property
    def entity(self) -> Entity:
        assert self.pending.file.entity is not None
        return self.pending.file.entity


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def readable_path(pending: Pending, workdir: Path) -> Path:
    """The path Spark should read: the file, or a decompressed copy of a gzip file (Spark picks a codec by the
    name's extension only; the copy's name has none). Text files must be valid in their encoding."""
    entity, file = pending.file.entity, pending.file
    assert entity is not None
    if pending.fp.bytes == 0:
        raise Unreadable("empty file: 0 bytes, no header or records")
    source = file.path
    if entity.file_format != "parquet":
        if is_gzip(source):
            source = workdir / f"{entity.table}.{file.path.name}.plain"
            gunzip_to(file.path, source)
        check_encoding(source, entity.encoding)
    return source


def csv_source(pending: Pending, workdir: Path) -> Source:
    path = readable_path(pending, workdir)
    encoding = pending.file.entity.encoding if pending.file.entity else "utf-8"
    layout = check_csv(pending.file.entity, path, "utf-8-sig" if _is_utf8(encoding) else encoding)  # type: ignore[arg-type]
    return Source(pending, path, layout)


def _key_sets_sql(view: str, structs: list[str]) -> str:
    nested = "".join(
        f", array_distinct(flatten(collect_set(coalesce(json_object_keys(get_json_object(value, '$.{name}')), "
        f"array())))) as s{i}" for i, name in enumerate(structs))
    return (
        "select source, count(*) as records, "
        "count_if(coalesce(size(json_object_keys(value)), 0) = 0) as not_objects, "
        f"array_distinct(flatten(collect_set(coalesce(json_object_keys(value), array())))) as top{nested} "
        f"from {view} where trim(value) <> '' group by source"
    )


def json_layouts(spark: SparkSession, pendings: list[Pending], workdir: Path) -> dict[str, Source | Unreadable]:
    """Each JSON file's layout (or why it cannot land), from one Spark job over the lines of all of them: how many
    records, how many are not objects with fields, the union of their top-level keys and of each STRUCT column's."""
    out: dict[str, Source | Unreadable] = {}
    paths: dict[str, Path] = {}
    for pending in pendings:
        try:
            paths[pending.file.relative] = readable_path(pending, workdir)
        except Unreadable as exc:
            out[pending.file.relative] = exc
    if not paths:
        return out
    entity = pendings[0].file.entity
    assert entity is not None
    structs = list(json_struct_fields(entity))
    lines = None
    for relative, path in paths.items():
        one = spark.read.text(str(path)).select(F.lit(relative).alias("source"), "value")
        lines = one if lines is None else lines.unionByName(one)
    assert lines is not None
    lines.createOrReplaceTempView("ccw_json_lines")
    found = {r["source"]: r for r in spark.sql(_key_sets_sql("ccw_json_lines", structs)).collect()}
    for pending in pendings:
        relative = pending.file.relative
        if relative in out:
            continue
        row = found.get(relative)
        try:
            if row is not None and row["not_objects"]:
                raise Unreadable(f"corrupt JSON (rule records_are_objects): {row['not_objects']:,} of "
                                 f"{row['records']:,} record(s) not a JSON object with fields (malformed JSON, "
                                 "null, {}, an array or a scalar; or several records on one line)")
            key_sets = [] if row is None else [[list(row["top"]), *(list(row[f"s{i}"]) for i in range(len(structs)))]]
            out[relative] = Source(pending, paths[relative], json_layout(entity, key_sets))
        except Unreadable as exc:
            out[relative] = exc
    return out


def parquet_source(pending: Pending) -> Source:
    """Its schema is read now from the footer (pyarrow: no Spark job per file; a file that is not Parquet fails
    here, alone), and given to Spark's reader, which then infers nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema

    path = readable_path(pending, Path())
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise Unreadable(f"unreadable Parquet: {_first_line(exc)}") from exc
    try:
        spark_schema = from_arrow_schema(schema)
    except TypeError as exc:  # an Arrow type Spark has no type for
        raise Unreadable(f"unreadable Parquet: {_first_line(exc)}") from exc
    return Source(pending, path, compare(pending.file.entity, schema.names), spark_schema)  # type: ignore[arg-type]


def _first_line(exc: BaseException) -> str:
    from ccw.land.errors import short

    return short(str(exc))


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _extra(entity: Entity, layout: Layout) -> Column:
    """``_extra``: a JSON object of the record's unknown fields that have a value (null when none), as DuckDB's
    landing writes it: top-level fields by name, unknown keys of a registry STRUCT under the struct's name. A JSON
    field is read as VARIANT (its JSON type kept); keys are never put into a path expression (any name works)."""
    parts: list[Column] = []
    for name in layout.extra:
        value = col(name)
        if entity.file_format == "jsonl":
            value = F.when(~F.expr(f"is_variant_null(`{name.replace('`', '``')}`)"), value)
        parts += [F.lit(name), value]
    for name in layout.nested_extra:
        known = ", ".join(_quoted(k) for k in struct_fields(entity.raw_columns[name]) or [])
        unknown = F.expr(f"map_filter(try_variant_get(`{name}`, '$', 'map<string, variant>'), "
                         f"(k, v) -> not array_contains(array({known}), k) and not is_variant_null(v))")
        parts += [F.lit(name), F.when(F.size(unknown) > 0, unknown)]
    if not parts:
        return F.lit(None).cast("string").alias(EXTRA_COLUMN)
    text = F.to_json(F.named_struct(*parts))
    return F.when(text != "{}", text).alias(EXTRA_COLUMN)


def _registry_column(entity: Entity, name: str, layout: Layout) -> Column:
    target = spark_type(entity.raw_columns[name])
    if name in layout.missing and entity.file_format != "jsonl":
        return F.lit(None).cast(target).alias(name)
    if name in layout.nested_extra:  # read as VARIANT: the registry's fields as the struct, the rest to _extra
        return F.expr(f"try_variant_get(`{name}`, '$', '{target.simpleString()}')").alias(name)
    return col(name).cast(target).alias(name)


def _json_schema(entity: Entity, layout: Layout) -> T.StructType:
    fields = [T.StructField(n, T.VariantType() if n in layout.nested_extra else spark_type(t))
              for n, t in entity.raw_columns.items()]
    fields += [T.StructField(n, T.VariantType()) for n in layout.extra]
    return T.StructType([*fields, T.StructField(CORRUPT, T.StringType())])


def group_key(source: Source) -> str:
    """Files with the same key are read by one reader call: same fields, same header order, same Parquet schema."""
    return repr((source.layout, source.schema))


def file_uri(spark: SparkSession, path: Path) -> str:
    """The file as Spark names it in ``_metadata.file_path`` (Hadoop's qualified, percent-encoded URI; ``file:/``
    for a local file, which Hadoop's ``toUri`` spells ``file:///``)."""
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    hadoop_path = jvm.org.apache.hadoop.fs.Path(str(path))
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
    uri = str(fs.makeQualified(hadoop_path).toUri().toString())
    return "file:/" + uri[len("file:///"):] if uri.startswith("file:///") else uri


def read_group(spark: SparkSession, sources: list[Source]) -> DataFrame:
    """The records of files of one :func:`group_key`, read together (one scan: Spark packs small files into few
    tasks), as the raw table's registry columns and ``_extra``, with ``_order``, ``_bad`` and ``_file``: the file's
    URI as Spark names it (:func:`file_uri`)."""
    first = sources[0]
    entity, layout = first.entity, first.layout or Layout()
    paths = [str(s.path) for s in sources]
    if entity.file_format == "jsonl":
        frame = (spark.read.schema(_json_schema(entity, layout))
                 .options(mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT).json(paths))
    elif entity.file_format == "csv":
        schema = T.StructType([*(T.StructField(n, T.StringType()) for n in layout.header or ()),
                               T.StructField(CORRUPT, T.StringType())])
        frame = spark.read.schema(schema).options(
            header=True, multiLine=True, encoding=entity.encoding, quote='"', escape='"', mode="PERMISSIVE",
            columnNameOfCorruptRecord=CORRUPT, enforceSchema=True).csv(paths)
    else:
        frame = (spark.read.schema(first.schema) if first.schema is not None else spark.read).parquet(*paths)
    if entity.file_format == "parquet":
        order, bad = F.col("_metadata.row_index"), F.lit(False)
    else:
        order = F.struct(F.col("_metadata.file_block_start"), F.monotonically_increasing_id())
        bad = F.col(CORRUPT).isNotNull()
    columns = [_registry_column(entity, n, layout) for n in entity.raw_columns]
    return frame.select(*columns, _extra(entity, layout), order.alias(ORDER), bad.alias(BAD),
                        F.col("_metadata.file_path").alias(FILE))
