{#-
    local_to_utc(ts, tz): the UTC timestamp (without time zone) of the wall-clock time `ts` read in time zone `tz`.
    `ts`: a timestamp expression without time zone (a column, or a literal such as "'2026-10-26 09:00:00'").
    `tz`: an IANA time-zone expression: a column (time_zone) or a quoted literal ("'Europe/London'").
    DST rule: see macros/time/_time__macros.yml (nonexistent local times move forward by the gap;
    ambiguous local times follow the engine: DuckDB takes the later instant, Spark the earlier one).
-#}
{% macro local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'contact_center')(ts, tz)) }}
{%- endmacro %}

{#- Spark-style engines (Spark, Databricks) expose the conversion directly. -#}
{% macro default__local_to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{#- DuckDB (ICU): timezone(tz, TIMESTAMP) reads the wall time in tz and returns TIMESTAMPTZ (an instant);
    timezone('UTC', TIMESTAMPTZ) turns that instant back into a plain TIMESTAMP in UTC, whatever the
    session TimeZone is. -#}
{% macro duckdb__local_to_utc(ts, tz) -%}
    timezone('UTC', timezone({{ tz }}, cast({{ ts }} as timestamp)))
{%- endmacro %}
