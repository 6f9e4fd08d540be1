"""Stand-ins for dbt's Jinja context so sqlfluff's plain Jinja templater can render the models.

sqlfluff's ``apply_dbt_builtins`` provides ``ref``, ``source``, ``var``, ``config`` and ``return``
but not ``adapter``, ``env_var`` or dbt's cross-database macros (``dbt.safe_cast`` ...). This package
(``library_path`` in ``.sqlfluff``) adds them: every public name here becomes a Jinja variable.
They render plausible DuckDB SQL so that the rendered models can be parsed and linted; they are
never used to build anything. Any macro not listed renders as a SQL call ``name(args)``; a macro that
returns a whole query (``dbt.date_spine``) needs its own entry to lint cleanly.
"""

from __future__ import annotations

from types import SimpleNamespace as _Namespace


def _call(name: str):
    return lambda *args, **kwargs: f"{name}({', '.join(str(a) for a in [*args, *kwargs.values()])})"


class _Macros(_Namespace):
    """A namespace of macros: the listed ones render SQL, any other name renders as ``name(args)``."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _call(name)


def env_var(name: str, default: str = "") -> str:
    return default or name


# adapter.dispatch('clean_text')(expr) renders as the SQL call clean_text(expr)
adapter = _Macros(dispatch=lambda name, macro_namespace=None: _call(name))

target = _Namespace(type="duckdb", name="dev", schema="main", database="warehouse", threads=2)

dbt = _Macros(
    safe_cast=lambda expr, type_: f"try_cast({expr} as {type_})",
    type_timestamp=lambda: "timestamp",
    type_string=lambda: "varchar",
    type_bigint=lambda: "bigint",
    type_int=lambda: "integer",
    type_numeric=lambda: "numeric(28, 6)",
    type_boolean=lambda: "boolean",
    concat=lambda fields: " || ".join(str(f) for f in fields),
    hash=lambda expr: f"md5(cast({expr} as varchar))",
    dateadd=lambda datepart, interval, from_date_or_timestamp: (
        f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"
    ),
    datediff=lambda first, second, datepart: f"date_diff('{datepart}', {first}, {second})",
    date_trunc=lambda datepart, date: f"date_trunc('{datepart}', {date})",
    split_part=lambda string_text, delimiter_text, part_number: (
        f"split_part({string_text}, {delimiter_text}, {part_number})"
    ),
    current_timestamp=lambda: "current_timestamp",
    listagg=lambda measure, delimiter_text="','", order_by_clause=None, limit_num=None: (
        f"string_agg({measure}, {delimiter_text}{' ' + order_by_clause if order_by_clause else ''})"
    ),
    generate_series=lambda upper_bound: f"select range + 1 as generated_number from range({upper_bound})",
)
