{#- Local wall-clock text (workforce schedules) -> timestamp without time zone, kept in local time
    (the intermediate layer converts with the site's time zone). Accepts a full date-time
    ("2025-10-02 09:00[:00]", "2025-10-02T09:00") or a bare time ("09:00", "9:00:00") that is put
    on date_expr. Null when unparseable. A bare end time earlier than its start (an overnight
    activity) is the caller's to move to the next day. -#}
{% macro parse_local_timestamp(text_expr, date_expr) -%}
    case
        when {{ is_bare_time(text_expr) }}
            then {{ parse_naive_timestamp(dbt.concat([dbt.safe_cast(date_expr, dbt.type_string()), "' '", text_expr])) }}
        else {{ parse_naive_timestamp(text_expr) }}
    end
{%- endmacro %}


{#- True when the text is a bare time of day such as "09:00" or "9:00:00" (no date part). -#}
{% macro is_bare_time(text_expr) -%}
    ({{ text_expr }} like '%:%' and {{ text_expr }} not like '%-%' and length({{ text_expr }}) <= 8)
{%- endmacro %}


{#- Text -> timestamp without any time-zone conversion; null on bad input. -#}
{% macro parse_naive_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_naive_timestamp')(expr)) }}
{%- endmacro %}

{% macro default__parse_naive_timestamp(expr) -%}
    {{ dbt.safe_cast(expr, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__parse_naive_timestamp(expr) -%}
    try_cast({{ expr }} as timestamp)
{%- endmacro %}
