"""Stand-ins for dbt's Jinja context so sqlfluff's plain Jinja templater can render the models.

sqlfluff's ``apply_dbt_builtins`` provides ``ref``, ``source``, ``var``, ``config`` and ``return``
but not ``adapter``, ``env_var``, ``config.get`` or dbt's cross-database macros (``dbt.safe_cast`` ...).
This package (``library_path`` in ``.sqlfluff``) adds them: every public name here becomes a Jinja
variable (and takes precedence over sqlfluff's builtin of the same name). They render plausible DuckDB
SQL so that the rendered models can be parsed and linted; they are never used to build anything.
A dispatched macro (``adapter.dispatch('clean_text')(expr)``) renders as the SQL call ``clean_text(expr)``:
the linter reports nothing inside rendered macro code anyway, and the calls keep the rendered models small (the
lint's time grows with their size). A dispatched macro that returns a whole query (``QUERY_MACROS``:
``business_seconds``) resolves to the project's own ``duckdb__``/``default__`` macro as dbt does, so that the
model around it parses. Likewise any dbt macro not listed renders as ``name(args)``; one that returns a whole
query (``dbt.date_spine``) needs its own entry to lint cleanly.
"""

from __future__ import annotations

from types import SimpleNamespace as _Namespace

from jinja2 import pass_context as _pass_context


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


#: dispatched macros that return a query, not an expression: rendered by the project's implementation
QUERY_MACROS = frozenset({"business_seconds"})


@_pass_context
def _dispatch(context, name: str, macro_namespace: str | None = None):
    """dbt's adapter.dispatch: for QUERY_MACROS the project's duckdb__<name> or default__<name> macro (looked up in
    the calling template's context, where sqlfluff put every macro of macros/), else the SQL call <name>(args)."""
    if name in QUERY_MACROS:
        for candidate in (f"duckdb__{name}", f"default__{name}"):
            macro = context.get(candidate)
            if macro is not None:
                return macro
    return _call(name)


adapter = _Macros(dispatch=_dispatch)


class _Config:
    """dbt's ``config``: ``{{ config(...) }}`` renders nothing; ``config.get(name, default)`` gives the default (the
    model's configured value is not known to the linter)."""

    def __call__(self, *args, **kwargs) -> str:
        return ""

    def get(self, name: str, default=None):
        return default

    def require(self, name: str) -> str:
        return name


config = _Config()

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
