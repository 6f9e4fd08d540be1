"""Compare a file's fields with the registry: schema evolution, not rejection.

CSV: the header row. JSON lines: the union of keys over all records (a field absent from every record is missing;
one absent from some records is an optional field left out) and of the keys of the registry's nested objects.
Parquet: the schema.

The rule (``ccw.exports``): only a missing *required* field (the entity's key and the few fields staging cannot do
without) refuses the file, raising ``Unreadable`` with a reason naming the rule and the count; so do repeated CSV
column names (the reader cannot tell them apart). Every other difference lands, as a :class:`Layout` that tells the
reader what to do, with a warning for the landing report and the manifest:

- an optional registry field missing from the file lands as null (a warning names those of the sample's format,
  ``Entity.columns``; the ``optional_columns`` of real exports are absent from the sample without a warning);
- a field the registry does not know (top level, or inside a registry STRUCT of a JSON record) is kept in the
  landing column ``_extra``, a JSON object of the record's unknown fields.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ccw.exports import Entity
from ccw.land import readers
from ccw.land.errors import Unreadable, short
from ccw.sqltext import literal

#: the rule named in a refusal for a missing required field
REQUIRED_RULE = "required_columns_present"


@dataclass(frozen=True)
class Layout:
    """How one file's fields relate to its entity's registry fields."""

    missing: tuple[str, ...] = ()  # optional registry fields absent from the file: land as null
    missing_reported: tuple[str, ...] = ()  # those of them the sample format has (a warning names them)
    extra: tuple[str, ...] = ()  # top-level fields the registry does not know: kept in _extra
    nested_extra: dict[str, tuple[str, ...]] = field(default_factory=dict)  # STRUCT column -> unknown keys
    header: tuple[str, ...] | None = None  # CSV: the header in file order
    dropped: tuple[str, ...] = ()  # JSON: top-level keys no reader can address (an empty name): not kept
    open_structs: tuple[str, ...] = ()  # STRUCT columns whose other keys are expected: kept, no warning

    @property
    def warnings(self) -> list[str]:
        """One line per kind of drift, naming the fields (empty when the file has exactly the registry's)."""
        out = []
        if self.extra:
            out.append(f"schema drift: {len(self.extra)} unknown extra column(s) kept in _extra: "
                       + ", ".join(self.extra))
        nested = [
            f"{name}.{key}" for name, keys in self.nested_extra.items() if name not in self.open_structs for key in keys
        ]
        if nested:
            out.append(f"schema drift: {len(nested)} unknown nested field(s) kept in _extra: " + ", ".join(nested))
        if self.dropped:
            out.append(f"schema drift: {len(self.dropped)} field(s) with an empty name not kept")
        if self.missing_reported:
            out.append(f"schema drift: {len(self.missing_reported)} optional column(s) missing, landed as null: "
                       + ", ".join(self.missing_reported))
        return out


def struct_fields(raw_type: str) -> list[str] | None:
    """Field names of a registry ``STRUCT(a T, b U)`` type; None for any other type."""
    text = raw_type.strip()
    if not text.upper().startswith("STRUCT(") or not text.endswith(")"):
        return None
    body, depth, fields, current = text[len("STRUCT(") : -1], 0, [], ""
    for char in body + ",":
        if char == "," and depth == 0:
            fields.append(current.strip().split()[0].strip('"'))
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    return fields


def compare(entity: Entity, found: list[str], what: str = "column", header: list[str] | None = None) -> Layout:
    """The layout of a file with fields ``found``; ``Unreadable`` when a required field is missing or a name
    repeats."""
    expected = list(entity.raw_columns)
    folded = [n.lower() for n in found]  # DuckDB names are case-insensitive: "Id" and "id" are one column
    repeated = sorted({n for n in found if folded.count(n.lower()) > 1})
    if repeated:
        raise Unreadable(f"wrong columns: repeated {what}(s) {', '.join(repeated)}")
    required = entity.required_columns
    absent = [n for n in required if n not in found]
    if absent:
        raise Unreadable(
            f"wrong columns (rule {REQUIRED_RULE}): {len(absent)} of the {len(required)} required {what}(s) of "
            f"{entity.table} missing: {', '.join(absent)} (required: {', '.join(required)})"
        )
    return Layout(
        missing=tuple(n for n in expected if n not in found),
        missing_reported=tuple(
            n for n in entity.columns
            if n not in found and not any(other in found for other in entity.covered_by.get(n, ()))
        ),
        extra=tuple(n for n in dict.fromkeys(found) if n not in expected),
        header=tuple(header) if header is not None else None,
    )


def csv_header(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    """The header row of a CSV file (a byte order mark is allowed); ``encoding``: the file's (UTF-8 for DuckDB, which
    reads a UTF-8 copy of a GB18030 file; the entity's own for Spark, which decodes the file itself)."""
    try:
        with path.open(encoding=encoding, newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding.lower().startswith("utf-8") else encoding.upper()
        raise Unreadable(f"bad encoding: not valid {label} near the start of the file ({exc.reason})") from exc
    except csv.Error as exc:
        raise Unreadable(f"malformed CSV header: {exc}") from exc
    if not header:
        raise Unreadable("empty file: no header row")
    return header


def check_csv(entity: Entity, path: Path, encoding: str = "utf-8-sig") -> Layout:
    """The layout of a CSV file, from its header. A column without a name (a trailing comma) is named after its
    position, ``_column_<n>`` (1-based), and kept in ``_extra`` like any unknown column."""
    names = csv_header(path, encoding)
    if encoding != "utf-8-sig":  # a byte order mark of another encoding decodes to U+FEFF: not part of the name
        names[0] = names[0].removeprefix("\ufeff")
    header = [name if name.strip() else f"_column_{n}" for n, name in enumerate(names, start=1)]
    return compare(entity, header, header=header)


def _json_key_sets_sql(path: Path, struct_columns: list[str]) -> str:
    """Each distinct combination of keys (top level, then each struct column's) over all records.

    One parse per record: ``json_keys`` with a list of paths; records with the same key lists
    collapse by hash, so the result has a handful of rows.
    """
    paths = "[" + ", ".join(literal(p) for p in ["$", *(f"$.{c}" for c in struct_columns)]) + "]"
    return (
        f"select any_value(key_lists) from (select json_keys(json, {paths}) as key_lists "
        f"from read_json_objects({literal(str(path))}, format = '{readers.JSON_FORMAT}', "
        f"maximum_object_size = {readers.MAX_RECORD_BYTES})) group by hash(key_lists)"
    )


def check_json(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> Layout:
    """The layout of a JSON-lines file, from the keys of all its records."""
    structs = json_struct_fields(entity)
    try:
        key_sets = [row[0] for row in con.execute(_json_key_sets_sql(path, list(structs))).fetchall()]
    except duckdb.Error as exc:
        raise Unreadable(f"corrupt JSON: {short(str(exc))}") from exc
    return json_layout(entity, key_sets)


def json_struct_fields(entity: Entity) -> dict[str, list[str]]:
    """The entity's STRUCT columns and their registry fields, in registry order (whose keys a JSON check lists)."""
    return {name: fields for name, t in entity.raw_columns.items() if (fields := struct_fields(t)) is not None}


def json_layout(entity: Entity, key_sets: list[list[list[str] | None]]) -> Layout:
    """The layout of a JSON-lines file from its key sets, whichever engine listed them: each is the keys of one or
    more records, top level first, then those of each STRUCT column of :func:`json_struct_fields` (None: not an
    object); an empty top level is a record that is not an object with fields. ``Unreadable`` when there is no
    record, such a record, or a required field missing."""
    structs = json_struct_fields(entity)
    if not key_sets:
        raise Unreadable("empty file: no JSON records")
    if any(not lists[0] for lists in key_sets):
        raise Unreadable("corrupt JSON: a record is not an object with fields (null, {}, an array or a scalar)")
    top = sorted({key for lists in key_sets for key in lists[0] or []})
    layout = compare(entity, top, "field")
    nested: dict[str, set[str]] = {}
    for lists in key_sets:
        for (name, fields), keys in zip(structs.items(), lists[1:], strict=True):
            for key in keys or []:
                if key not in fields:
                    nested.setdefault(name, set()).add(key)
    return Layout(missing=layout.missing, missing_reported=layout.missing_reported,
                  extra=tuple(k for k in layout.extra if k.strip()),
                  dropped=tuple(k for k in layout.extra if not k.strip()),
                  nested_extra={name: tuple(sorted(keys)) for name, keys in nested.items()},
                  open_structs=entity.open_structs)


def check_parquet(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> Layout:
    """The layout of a Parquet file, from its schema."""
    try:
        names = [row[0] for row in con.execute(f"describe select * from read_parquet({literal(str(path))})").fetchall()]
    except duckdb.Error as exc:
        raise Unreadable(f"unreadable Parquet: {short(str(exc))}") from exc
    return compare(entity, names)
