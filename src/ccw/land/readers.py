"""The SELECT that reads one export file into the shape of its raw table.

Every reader is a DuckDB table function with explicit columns (no type sniffing): JSON lines
with the registry's types (scalars as text, nested objects as STRUCTs), CSV as text with the
header's column order, Parquet cast to the registry's types. The landing columns come last, as
parameters ``$source_file, $export_date, $checksum, $landed_at``; ``_row_number`` is the
1-based position of the record in the file.

Schema evolution (``ccw.land.columns.Layout``): an optional registry field the file lacks is selected as null, and
the fields the registry does not know go to ``_extra``, a JSON object per record (null when it has none): CSV and
Parquet columns by name, JSON top-level keys read as JSON, unknown keys inside a registry STRUCT kept under the
struct's name (that struct column is then read as JSON and cast without them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccw.exports import EXTRA_COLUMN, LANDING_COLUMNS, Entity
from ccw.sqltext import ident, literal, struct_literal

if TYPE_CHECKING:
    from ccw.land.columns import Layout

#: The longest CSV line and the largest JSON record landing reads: 64 MiB. DuckDB's defaults (2 MB per CSV line,
#: 16 MiB per JSON object) refused a whole file for one long text value (a 3 MiB comment); raising the bound
#: costs nothing measurable on ordinary files (the buffers grow only for the long record). A record above it
#: still makes its file unreadable (quarantined with a reason naming the line and this bound).
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: How DuckDB splits a JSON export into records: ``unstructured`` takes JSON objects one after another, separated by
#: newlines (JSON lines) or by nothing at all (Kinesis Data Firehose concatenates records without a delimiter).
#: Measured on 1 M JSON lines (2-core machine): 0.38-0.42 s against 0.31-0.38 s for ``newline_delimited``.
JSON_FORMAT = "unstructured"

_LANDING_VALUES = (
    "$source_file, cast($export_date as date), {row_number}, $checksum, cast($landed_at as timestamp), {extra}"
)


def insert_columns(entity: Entity) -> str:
    return ", ".join(ident(n) for n in [*entity.raw_columns, *LANDING_COLUMNS])


def _json_columns(entity: Entity, layout: Layout | None) -> dict[str, str]:
    """read_json's columns: the registry's (a STRUCT with unknown keys as JSON), then the unknown keys as JSON."""
    nested = layout.nested_extra if layout else {}
    columns = {n: ("JSON" if n in nested else t) for n, t in entity.raw_columns.items()}
    return columns | dict.fromkeys(layout.extra if layout else (), "JSON")


def _json_source(entity: Entity, path: Path, layout: Layout | None = None) -> str:
    return (
        f"read_json({literal(str(path))}, format = '{JSON_FORMAT}', "
        f"columns = {struct_literal(_json_columns(entity, layout))}, maximum_object_size = {MAX_RECORD_BYTES}) "
        "with ordinality"
    )


def _without_keys(column: str, keys: list[str] | tuple[str, ...]) -> str:
    """The JSON object ``column`` without ``keys`` (a merge patch setting them to null removes them)."""
    patch = "{" + ", ".join(f'"{k}": null' for k in keys) + "}"
    return f"json_merge_patch({ident(column)}, {literal(patch)})"


def _column_expr(entity: Entity, name: str, layout: Layout | None) -> str:
    """One registry column as selected: itself, null when the file lacks it, a STRUCT without its unknown keys."""
    raw_type = entity.raw_columns[name]
    if layout is not None and name in layout.missing and entity.file_format != "jsonl":
        return f"cast(null as {raw_type}) as {ident(name)}"
    if layout is not None and name in layout.nested_extra:
        cleaned = _without_keys(name, layout.nested_extra[name])
        # json_transform, not a cast: a cast to STRUCT refuses an object lacking one of the struct's keys (DuckDB 2.0,
        # "does not have key"), and real records leave keys out (an IVR-only call's Attributes, a leg without ACW)
        return (f"case when json_type({ident(name)}) = 'OBJECT' then "
                f"json_transform({cleaned}, {literal(json_structure(raw_type))}) end as {ident(name)}")
    if entity.file_format == "parquet":
        return f"cast({ident(name)} as {raw_type}) as {ident(name)}"
    return ident(name)


def _extra_expr(entity: Entity, layout: Layout | None) -> str:
    """``_extra``: a JSON object of the record's unknown fields with a value, null when there is none."""
    pairs = [(n, ident(n)) for n in (layout.extra if layout else ())]
    for name, keys in (layout.nested_extra if layout else {}).items():
        known = [k for k in _struct_names(entity.raw_columns[name]) if k not in keys]
        unknown = _without_keys(name, known)
        pairs.append((name, f"case when json_type({ident(name)}) = 'OBJECT' then nullif({unknown}, '{{}}') end"))
    if not pairs:
        return f"cast(null as varchar) as {ident(EXTRA_COLUMN)}"
    obj = "json_object(" + ", ".join(f"{literal(n)}, {expr}" for n, expr in pairs) + ")"
    return f"nullif(cast(json_merge_patch('{{}}', {obj}) as varchar), '{{}}') as {ident(EXTRA_COLUMN)}"


def split_top_level(body: str) -> list[str]:
    """``a T, b STRUCT(c U, d V)`` -> ``['a T', 'b STRUCT(c U, d V)']`` (commas inside parentheses stay)."""
    parts, depth, current = [], 0, ""
    for char in body + ",":
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    return [p for p in parts if p]


def json_structure(raw_type: str) -> str:
    """The ``json_transform`` structure of a registry type: ``STRUCT(a VARCHAR, b STRUCT(c JSON))`` ->
    ``{"a":"VARCHAR","b":{"c":"JSON"}}``; a list ``T[]`` -> ``[T]``; any other type as itself."""
    import json

    def structure(text: str):
        text = text.strip()
        if text.endswith("[]"):
            return [structure(text[:-2])]
        if text.upper().startswith("STRUCT(") and text.endswith(")"):
            fields = {}
            for part in split_top_level(text[len("STRUCT("):-1]):
                name, _, field_type = part.partition(" ")
                fields[name.strip('"')] = structure(field_type)
            return fields
        return text.upper()

    return json.dumps(structure(raw_type), separators=(",", ":"))


def _struct_names(raw_type: str) -> list[str]:
    from ccw.land.columns import struct_fields

    return struct_fields(raw_type) or []


def _csv_source(header: list[str], path: Path) -> str:
    columns = struct_literal(dict.fromkeys(header, "VARCHAR"))
    return (
        f"read_csv({literal(str(path))}, header = true, columns = {columns}, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', strict_mode = true, "
        f"allow_quoted_nulls = false, max_line_size = {MAX_RECORD_BYTES}) with ordinality"
    )


def select_sql(entity: Entity, path: Path, header: list[str] | None = None, layout: Layout | None = None) -> str:
    """``select <registry columns>, <landing columns> from <reader of path>``.

    ``path`` is the file DuckDB reads (a UTF-8 copy for GB18030 files); ``header`` is the CSV
    header in file order (required for CSV); ``layout`` is what the file lacks or adds
    (``ccw.land.columns``; None: exactly the registry's fields).
    """
    columns = ", ".join(_column_expr(entity, n, layout) for n in entity.raw_columns)
    if entity.file_format == "parquet":
        source = f"read_parquet({literal(str(path))}, file_row_number = true)"
        row_number = "file_row_number + 1"
    else:
        if entity.file_format == "jsonl":
            source = _json_source(entity, path, layout)
        else:
            if header is None:
                raise ValueError("a CSV select needs the file's header")
            source = _csv_source(header, path)
        row_number = "ordinality"
    landing = _LANDING_VALUES.format(row_number=row_number, extra=_extra_expr(entity, layout))
    return f"select {columns}, {landing} from {source}"
