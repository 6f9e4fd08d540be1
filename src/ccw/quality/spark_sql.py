"""The gates' SQL on Spark: one definition of every rule (DuckDB SQL, in the suites), translated when it runs on Spark.

The raw and mart suites' custom-SQL rules (``ExpectNoFailingRows``) are written once, in DuckDB's dialect, with the
gates' macros ``quality.clean(x)`` ... (``ccw.quality.sql``). On Spark, ``to_spark`` gives the same query in Spark
SQL: each ``quality.<macro>(...)`` call is replaced by the macro's Spark body below (the per-engine expression, next
to the DuckDB body in meaning: ``tests/python/test_orchestration_spark.py`` runs both on the same data), then
sqlglot transpiles the rest (double-quoted identifiers to backquotes, ``count(*) filter (...)``, ``unnest`` /
``generate_series``, ``group by all``, DuckDB's casts). ``hash(...)`` becomes Spark's 64-bit ``xxhash64`` (only
compared for equality: a copy of a record within one file); ``median(x) over (... rows ...)`` becomes
``percentile(x, 0.5)`` (Spark allows no window frame on median; both interpolate between the two middle values);
``cast(unnest(list) as T)`` becomes ``explode(cast(list as array<T>))`` (no generator inside an expression).

Where the engines read a text differently, the Spark body does what the Spark build's staging macros do (dispatch
macros of ``macros/staging``): a timestamp is ``try_cast`` (Spark reads "Z", offsets and a missing zone as UTC in a
UTC session, as DuckDB's three branches do), whole numbers go through ``decimal(38, 18)`` rounded half away from
zero (``spark__safe_to_integer``: DuckDB rounds "12.5" to 13 and reads "1e3"). The known differences of
docs/spark.md ("24:00", a space before an offset, hexadecimal integers) apply to the gates as to staging.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp

from ccw.quality.sql import EPOCH_MS_BOUNDS, SCHEMA, padding_test

_PADDING_CHARS = "' \\t\\n\\r\\u00A0\\u3000'"


def _integer(expr: str) -> str:
    return f"cast(round(try_cast({expr} as decimal(38, 18))) as bigint)"


#: Spark bodies of the macros of ``ccw.quality.sql.MACROS`` (same names and parameters).
SPARK_MACROS: dict[str, str] = {
    "clean(x)": (
        f"case when {padding_test('ascii(x)')} or {padding_test('ascii(right(x, 1))')} "
        f"then nullif(trim(both {_PADDING_CHARS} from x), '') else nullif(x, '') end"
    ),
    "blank(x)": f"x is null or ({padding_test('ascii(x)')} and {SCHEMA}.clean(x) is null)",
    "iso_ts(x)": f"try_cast({SCHEMA}.clean(x) as timestamp)",
    "epoch_ms_ts(x)": (
        f"case when {_integer(f'{SCHEMA}.clean(x)')} >= {EPOCH_MS_BOUNDS[0]} "
        f"and {_integer(f'{SCHEMA}.clean(x)')} < {EPOCH_MS_BOUNDS[1]} "
        f"then timestamp_millis({_integer(f'{SCHEMA}.clean(x)')}) end"
    ),
    "local_ts(x, d)": (
        f"case when {SCHEMA}.clean(x) like '%:%' and {SCHEMA}.clean(x) not like '%-%' "
        f"and length({SCHEMA}.clean(x)) <= 8 "
        f"then try_cast(cast({SCHEMA}.clean(d) as string) || ' ' || {SCHEMA}.clean(x) as timestamp) "
        f"else try_cast({SCHEMA}.clean(x) as timestamp) end"
    ),
    "invalid_duration(x, ceiling)": (
        f"{SCHEMA}.clean(x) is not null "
        f"and coalesce(not ({_integer(f'{SCHEMA}.clean(x)')} between 0 and ceiling), true)"
    ),
}

_SIGNATURE = re.compile(r"(\w+)\((.*)\)")


@functools.cache
def _macros() -> dict[str, tuple[list[str], exp.Expression]]:
    out = {}
    for signature, body in SPARK_MACROS.items():
        name, params = _SIGNATURE.fullmatch(signature).groups()
        out[name] = ([p.strip() for p in params.split(",")], sqlglot.parse_one(body, read="spark"))
    return out


def _macro_call(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """``quality.<name>(args)`` as sqlglot parses it (a Dot of the schema and an anonymous function)."""
    if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier) and node.this.name == SCHEMA \
            and isinstance(node.expression, exp.Func):
        function = node.expression
        name = function.name if isinstance(function, exp.Anonymous) else function.sql_name().lower()
        if name in _macros():
            return name, list(function.expressions) or [a for a in function.args.values() if a is not None]
    return None


def _expand(node: exp.Expression) -> exp.Expression:
    call = _macro_call(node)
    if call is None:
        return node
    name, args = call
    params, body = _macros()[name]
    if len(args) != len(params):
        raise ValueError(f"{SCHEMA}.{name} takes {len(params)} argument(s), got {len(args)}")
    values = dict(zip(params, args, strict=True))

    def bind(inner: exp.Expression) -> exp.Expression:
        if isinstance(inner, exp.Column) and not inner.table and inner.name in values:
            return exp.Paren(this=values[inner.name].copy())
        return inner

    return body.copy().transform(bind).transform(_expand)


def _spark_functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
        # cast(unnest(list) as T): Spark allows no generator inside an expression; explode(cast(list as array<T>))
        to = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[node.to.copy()], nested=True)
        return exp.Explode(this=exp.Cast(this=node.this.this.copy(), to=to))
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Median):
        # Spark refuses median over a window frame; percentile(x, 0.5) is the same interpolated median
        node = node.copy()
        node.set("this", exp.Anonymous(this="percentile", expressions=[node.this.this, exp.Literal.number(0.5)]))
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() == "hash" or \
            type(node).__name__ in ("Hash", "FarmFingerprint") or \
            (isinstance(node, exp.Func) and node.sql_name().upper() == "HASH"):
        return exp.Anonymous(this="xxhash64", expressions=list(node.expressions) or [node.this])
    return node


@functools.cache
def to_spark(query: str) -> str:
    """``query`` (DuckDB SQL with the gates' macros; ``{batch}`` kept as it is) in Spark SQL."""
    placeholder = "ccw_batch_placeholder"
    tree = sqlglot.parse_one(query.replace("{batch}", placeholder), read="duckdb")
    tree = tree.transform(_expand).transform(_spark_functions)
    return tree.sql(dialect="spark").replace(placeholder, "{batch}")
