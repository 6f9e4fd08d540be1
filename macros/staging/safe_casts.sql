{#- Text -> typed value, null on bad input (never an error). Callers flag what did not parse. -#}

{#- Whole numbers (counts, seconds). DuckDB rounds "12.5" to 13; "1e3" is 1000. -#}
{% macro safe_to_integer(expr) -%}
    {{ return(adapter.dispatch('safe_to_integer')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_integer(expr) -%}
    {{ dbt.safe_cast(expr, dbt.type_bigint()) }}
{%- endmacro %}

{% macro duckdb__safe_to_integer(expr) -%}
    try_cast({{ expr }} as bigint)
{%- endmacro %}

{#- Spark: as DuckDB reads text as a whole number. dbt-spark's cast (ANSI off) truncates "12.5" to 12 and ".5" to 0
    and gives null for "1e3"; through a decimal, rounded half away from zero, it is 13, 1 and 1000 as on DuckDB, and
    null past bigint. Only hexadecimal text ("0x1A": 26 on DuckDB) stays null. -#}
{% macro spark__safe_to_integer(expr) -%}
    try_cast(round(try_cast({{ expr }} as decimal(38, 18)), 0) as bigint)
{%- endmacro %}


{#- Decimal numbers (amounts). -#}
{% macro safe_to_number(expr, precision=18, scale=3) -%}
    {{ return(adapter.dispatch('safe_to_number')(expr, precision, scale)) }}
{%- endmacro %}

{% macro default__safe_to_number(expr, precision, scale) -%}
    {{ dbt.safe_cast(expr, 'decimal(' ~ precision ~ ',' ~ scale ~ ')') }}
{%- endmacro %}

{% macro duckdb__safe_to_number(expr, precision, scale) -%}
    try_cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}


{#- Calendar dates ("2025-10-01"). -#}
{% macro safe_to_date(expr) -%}
    {{ return(adapter.dispatch('safe_to_date')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_date(expr) -%}
    {{ dbt.safe_cast(expr, 'date') }}
{%- endmacro %}

{% macro duckdb__safe_to_date(expr) -%}
    try_cast({{ expr }} as date)
{%- endmacro %}


{#- Booleans: true/false, t/f, yes/no, y/n, 1/0 in any case; anything else is null.
    Plain SQL, identical on every engine, so no dispatch. -#}
{% macro safe_to_boolean(expr) -%}
    case
        when lower({{ expr }}) in ('true', 't', 'yes', 'y', '1') then true
        when lower({{ expr }}) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}


{#- A whole-number score within [low, high]; null when not a whole number or out of range. -#}
{% macro clean_score(raw_expr, low, high) -%}
    case
        when {{ safe_to_integer(raw_expr) }} between {{ low }} and {{ high }}
            and {{ safe_to_number(raw_expr) }} = {{ safe_to_integer(raw_expr) }}
            then {{ safe_to_integer(raw_expr) }}
    end
{%- endmacro %}


{#- A whole-number count (messages, holds): null when negative or not a whole number. -#}
{% macro clean_count(raw_expr) -%}
    case
        when {{ safe_to_integer(raw_expr) }} >= 0
            and {{ safe_to_number(raw_expr) }} = {{ safe_to_integer(raw_expr) }}
            then {{ safe_to_integer(raw_expr) }}
    end
{%- endmacro %}
