{#- ISO-8601 text -> UTC timestamp (without time zone), null on anything unparseable, never an error.

    With an offset ("Z", "+08:00", "+0800", "-05") the instant is converted to UTC; without one
    the text is read as UTC already (the contract: telephony, helpdesk and crm export UTC).
    Accepts "T" or a space between date and time, fractional seconds, and a bare date (midnight).
    Callers flag the row when the raw text was present but this returns null
    (see invalid_if_unparsed). -#}
{% macro parse_iso_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_iso_timestamp')(expr)) }}
{%- endmacro %}

{% macro default__parse_iso_timestamp(expr) -%}
    {{ dbt.safe_cast(expr, dbt.type_timestamp()) }}
{%- endmacro %}

{#- DuckDB: "...Z" (the usual case) is read directly as a timestamp, which is UTC already; only other
    offsets go through timestamptz and the ICU time-zone conversion, which is slower. -#}
{% macro duckdb__parse_iso_timestamp(expr) -%}
    case
        when {{ expr }} like '%Z' then try_cast({{ expr }} as timestamp)
        when regexp_matches({{ expr }}, '\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$')
            then timezone('UTC', try_cast({{ expr }} as timestamptz))
        else try_cast({{ expr }} as timestamp)
    end
{%- endmacro %}


{#- True when a value was given (raw_expr not null) but could not be parsed (parsed_expr null). -#}
{% macro invalid_if_unparsed(raw_expr, parsed_expr) -%}
    ({{ raw_expr }} is not null and {{ parsed_expr }} is null)
{%- endmacro %}
