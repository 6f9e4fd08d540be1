{#-
    utc_to_local(ts, tz): the wall-clock time (timestamp without time zone) in time zone `tz` of the UTC timestamp `ts`.
    `ts`: a UTC timestamp without time zone (a column, or a literal such as "'2026-10-26 09:00:00'").
    `tz`: an IANA time-zone expression: a column (time_zone) or a quoted literal ("'Asia/Shanghai'").
    Every UTC instant has exactly one local wall time, so this direction has no DST ambiguity.
-#}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'contact_center')(ts, tz)) }}
{%- endmacro %}

{#- Spark-style engines (Spark, Databricks) expose the conversion directly. -#}
{% macro default__utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{#- DuckDB (ICU): timezone('UTC', TIMESTAMP) reads the value as UTC and returns TIMESTAMPTZ;
    timezone(tz, TIMESTAMPTZ) returns the plain TIMESTAMP wall time in tz. -#}
{% macro duckdb__utc_to_local(ts, tz) -%}
    timezone({{ tz }}, timezone('UTC', cast({{ ts }} as timestamp)))
{%- endmacro %}
