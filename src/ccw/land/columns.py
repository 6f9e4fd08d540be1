"""Check that a file carries exactly the registry's fields: no unknown extra, none missing.

CSV: the header row. JSON lines: the union of keys over all records (a field absent from
every record is missing; one absent from some records is an optional field left out) and of
the keys of the registry's nested objects. Parquet: the schema.
Each check raises ``Unreadable`` naming the fields.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from ccw.exports import Entity
from ccw.land import readers
from ccw.land.errors import Unreadable, short
from ccw.land.sql import literal


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


def compare(expected: list[str], found: list[str], what: str = "column") -> None:
    """Raise ``Unreadable`` when ``found`` has unknown, missing or repeated names."""
    extra = [n for n in dict.fromkeys(found) if n not in expected]
    missing = [n for n in expected if n not in found]
    repeated = sorted({n for n in found if found.count(n) > 1})
    problems = []
    if extra:
        problems.append(f"unknown extra {what}(s) {', '.join(extra)}")
    if missing:
        problems.append(f"missing {what}(s) {', '.join(missing)}")
    if repeated:
        problems.append(f"repeated {what}(s) {', '.join(repeated)}")
    if problems:
        raise Unreadable("wrong columns: " + "; ".join(problems))


def csv_header(path: Path) -> list[str]:
    """The header row of a UTF-8 CSV file (a UTF-8 byte order mark is allowed)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"bad encoding: not valid UTF-8 near the start of the file ({exc.reason})") from exc
    except csv.Error as exc:
        raise Unreadable(f"malformed CSV header: {exc}") from exc
    if not header:
        raise Unreadable("empty file: no header row")
    return header


def check_csv(entity: Entity, path: Path) -> list[str]:
    """The header in file order, once it matches the registry."""
    header = csv_header(path)
    compare(list(entity.columns), header)
    return header


def _json_key_sets_sql(path: Path, struct_columns: list[str]) -> str:
    """Each distinct combination of keys (top level, then each struct column's) over all records.

    One parse per record: ``json_keys`` with a list of paths; records with the same key lists
    collapse by hash, so the result has a handful of rows.
    """
    paths = "[" + ", ".join(literal(p) for p in ["$", *(f"$.{c}" for c in struct_columns)]) + "]"
    return (
        f"select any_value(key_lists) from (select json_keys(json, {paths}) as key_lists "
        f"from read_json_objects({literal(str(path))}, format = 'newline_delimited', "
        f"maximum_object_size = {readers.MAX_RECORD_BYTES})) group by hash(key_lists)"
    )


def check_json(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> None:
    structs = {name: fields for name, t in entity.columns.items() if (fields := struct_fields(t)) is not None}
    try:
        key_sets = [row[0] for row in con.execute(_json_key_sets_sql(path, list(structs))).fetchall()]
    except duckdb.Error as exc:
        raise Unreadable(f"corrupt JSON: {short(str(exc))}") from exc
    if not key_sets:
        raise Unreadable("empty file: no JSON records")
    if any(not lists[0] for lists in key_sets):
        raise Unreadable("corrupt JSON: a record is not an object with fields (null, {}, an array or a scalar)")
    top = {key for lists in key_sets for key in lists[0]}
    compare(list(entity.columns), sorted(top), "field")
    nested_extra = sorted(
        {
            f"{name}.{key}"
            for lists in key_sets
            for (name, fields), keys in zip(structs.items(), lists[1:], strict=True)
            for key in keys or []
            if key not in fields
        }
    )
    if nested_extra:
        raise Unreadable(f"wrong columns: unknown extra nested field(s) {', '.join(nested_extra)}")


def check_parquet(con: duckdb.DuckDBPyConnection, entity: Entity, path: Path) -> None:
    try:
        names = [row[0] for row in con.execute(f"describe select * from read_parquet({literal(str(path))})").fetchall()]
    except duckdb.Error as exc:
        raise Unreadable(f"unreadable Parquet: {short(str(exc))}") from exc
    compare(list(entity.columns), names)
