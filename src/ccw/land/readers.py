"""The SELECT that reads one export file into the shape of its raw table.

Every reader is a DuckDB table function with explicit columns (no type sniffing): JSON lines
with the registry's types (scalars as text, nested objects as STRUCTs), CSV as text with the
header's column order, Parquet cast to the registry's types. The landing columns come last, as
parameters ``$source_file, $export_date, $checksum, $landed_at``; ``_row_number`` is the
1-based position of the record in the file.
"""

from __future__ import annotations

from pathlib import Path

from ccw.exports import LANDING_COLUMNS, Entity
from ccw.land.sql import ident, literal, struct_literal

#: The longest CSV line and the largest JSON record landing reads: 64 MiB. DuckDB's defaults (2 MB per CSV line,
#: 16 MiB per JSON object) refused a whole file for one long text value (a 3 MiB comment); raising the bound
#: costs nothing measurable on ordinary files (the buffers grow only for the long record). A record above it
#: still makes its file unreadable (quarantined with a reason naming the line and this bound).
MAX_RECORD_BYTES = 64 * 1024 * 1024

_LANDING_VALUES = "$source_file, cast($export_date as date), {row_number}, $checksum, cast($landed_at as timestamp)"


def insert_columns(entity: Entity) -> str:
    return ", ".join(ident(n) for n in [*entity.columns, *LANDING_COLUMNS])


def _json_source(entity: Entity, path: Path) -> str:
    return (
        f"read_json({literal(str(path))}, format = 'newline_delimited', "
        f"columns = {struct_literal(entity.columns)}, maximum_object_size = {MAX_RECORD_BYTES}) with ordinality"
    )


def _csv_source(header: list[str], path: Path) -> str:
    columns = struct_literal(dict.fromkeys(header, "VARCHAR"))
    return (
        f"read_csv({literal(str(path))}, header = true, columns = {columns}, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', strict_mode = true, "
        f"allow_quoted_nulls = false, max_line_size = {MAX_RECORD_BYTES}) with ordinality"
    )


def select_sql(entity: Entity, path: Path, header: list[str] | None = None) -> str:
    """``select <registry columns>, <landing columns> from <reader of path>``.

    ``path`` is the file DuckDB reads (a UTF-8 copy for GB18030 files); ``header`` is the CSV
    header in file order (required for CSV).
    """
    if entity.file_format == "parquet":
        columns = ", ".join(f"cast({ident(n)} as {t}) as {ident(n)}" for n, t in entity.columns.items())
        source = f"read_parquet({literal(str(path))}, file_row_number = true)"
        row_number = "file_row_number + 1"
    else:
        columns = ", ".join(ident(n) for n in entity.columns)
        if entity.file_format == "jsonl":
            source = _json_source(entity, path)
        else:
            if header is None:
                raise ValueError("a CSV select needs the file's header")
            source = _csv_source(header, path)
        row_number = "ordinality"
    return f"select {columns}, {_LANDING_VALUES.format(row_number=row_number)} from {source}"
