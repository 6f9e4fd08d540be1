"""How the raw gates read a raw text value: the same way staging does, as DuckDB macros in schema ``quality``.

Raw gates run before dbt, on the raw tables, so they cannot call the staging macros. ``MACROS`` defines
their DuckDB twins (created by ``ccw.quality.tables.ensure_quality_objects`` before every gate run) so that
the suites' SQL stays short: ``quality.clean("State")`` instead of the whole expression.

- ``quality.clean(x)``: ``clean_text`` (trim spaces, tabs, line breaks, no-break and ideographic spaces
  -- the character-set trim only when an end character is padding, as the macro does -- and '' -> null);
- ``quality.blank(x)``: ``clean_text(x) is null``, computed only for values that start with padding;
- ``quality.iso_ts(x)``: ``parse_iso_timestamp`` (ISO-8601 to UTC: "...Z" directly, other offsets converted,
  none read as UTC);
- ``quality.epoch_ms_ts(x)``: ``epoch_ms_to_timestamp`` (whole milliseconds within [2000, 2100));
- ``quality.local_ts(x, d)``: ``parse_local_timestamp`` (a date-time, or a bare time put on date ``d``);
- ``quality.invalid_duration(x, ceiling)``: ``is_invalid_duration`` (present but negative, above the
  ceiling or not a whole number).

``tests/python/test_quality_rules.py`` checks the constants below against the macro files.
"""

from __future__ import annotations

from ccw.sqltext import ident, literal

SCHEMA = "quality"
#: ``epoch_ms_plausible_bounds`` of macros/staging/epoch_ms_to_timestamp.sql: 2000-01-01 and 2100-01-01 (ms).
EPOCH_MS_BOUNDS = (946684800000, 4102444800000)
#: ``duration_ceiling`` defaults of macros/staging/durations.sql (seconds).
DURATION_CEILINGS = {"call_part": 14400, "activity": 86400}

_PADDING = "' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288)"
_OFFSET = r"'\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$'"


def padding_test(code_point: str) -> str:
    """True when a character's code point is padding: a control or space, a no-break or an ideographic space."""
    return f"({code_point} <= 32 or {code_point} = 160 or {code_point} = 12288)"


MACROS: dict[str, str] = {
    "clean(x)": (
        f"case when {padding_test('unicode(x)')} or {padding_test('unicode(right(x, 1))')} "
        f"then nullif(trim(x, {_PADDING}), '') else nullif(x, '') end"
    ),
    "blank(x)": f"x is null or ({padding_test('unicode(x)')} and {SCHEMA}.clean(x) is null)",
    # fast path: a value that starts with a digit and ends with "Z" has no padding, so clean(x) = x
    "iso_ts(x)": (
        "case when unicode(x) between 48 and 57 and x like '%Z' then try_cast(x as timestamp) "
        f"when {SCHEMA}.clean(x) like '%Z' then try_cast({SCHEMA}.clean(x) as timestamp) "
        f"when regexp_matches({SCHEMA}.clean(x), {_OFFSET}) "
        f"then timezone('UTC', try_cast({SCHEMA}.clean(x) as timestamptz)) "
        f"else try_cast({SCHEMA}.clean(x) as timestamp) end"
    ),
    "epoch_ms_ts(x)": (
        f"case when try_cast({SCHEMA}.clean(x) as bigint) >= {EPOCH_MS_BOUNDS[0]} "
        f"and try_cast({SCHEMA}.clean(x) as bigint) < {EPOCH_MS_BOUNDS[1]} "
        f"then epoch_ms(try_cast({SCHEMA}.clean(x) as bigint)) end"
    ),
    "local_ts(x, d)": (
        f"case when {SCHEMA}.clean(x) like '%:%' and {SCHEMA}.clean(x) not like '%-%' "
        f"and length({SCHEMA}.clean(x)) <= 8 "
        f"then try_cast(cast({SCHEMA}.clean(d) as varchar) || ' ' || {SCHEMA}.clean(x) as timestamp) "
        f"else try_cast({SCHEMA}.clean(x) as timestamp) end"
    ),
    "invalid_duration(x, ceiling)": (
        f"{SCHEMA}.clean(x) is not null "
        f"and coalesce(try_cast({SCHEMA}.clean(x) as bigint) not between 0 and ceiling, true)"
    ),
}


def macro_ddl() -> list[str]:
    return [f"create or replace macro {SCHEMA}.{signature} as {body}" for signature, body in MACROS.items()]


def quote(name: str) -> str:
    """A double-quoted identifier; a ``"Struct".Field`` path (already quoted) is passed through."""
    return name if name.startswith('"') else ident(name)


def in_list(values: list[str]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def clean(expr: str) -> str:
    return f"{SCHEMA}.clean({expr})"


def blank(expr: str) -> str:
    """True when the value is null or only padding (``clean`` is null), cheaply: only a value that starts with
    padding (or is empty) is cleaned."""
    return f"{SCHEMA}.blank({expr})"


def parsed(expr: str, fmt: str, date_expr: str | None = None) -> str:
    """The parsed value of a time field in format ``iso`` | ``epoch_ms`` | ``local`` | ``date`` | ``native``."""
    if fmt == "iso":
        return f"{SCHEMA}.iso_ts({expr})"
    if fmt == "epoch_ms":
        return f"{SCHEMA}.epoch_ms_ts({expr})"
    if fmt == "local":
        if date_expr is None:
            raise ValueError("a local time needs the column of its date")
        return f"{SCHEMA}.local_ts({expr}, {date_expr})"
    if fmt == "date":
        return f"try_cast({clean(expr)} as date)"
    if fmt == "native":
        return expr
    raise ValueError(f"unknown time format {fmt!r}")


def unparseable(expr: str, fmt: str, date_expr: str | None = None) -> str:
    """True when a value is present but does not parse (staging makes it null and flags the row)."""
    if fmt == "native":
        return "false"
    return f"({clean(expr)} is not null and {parsed(expr, fmt, date_expr)} is null)"


def invalid_duration(expr: str, ceiling: int) -> str:
    return f"{SCHEMA}.invalid_duration({expr}, {ceiling})"
