{#- ISO-8601 text -> UTC timestamp (without time zone), null on anything unparseable, never an error.

    With an offset ("Z", "+08:00", "+0800", "-05") the instant is converted to UTC; without one
    the text is read as UTC already (the contract: telephony, helpdesk and crm export UTC).
    Accepts "T" or a space between date and time, fractional seconds, and a bare date (midnight).
    An implausible instant (before 1990-01-01, or after the build time + 2 days: a 1970 epoch zero, a 2099
    placeholder) is null too (plausible_timestamp). Callers flag the row when the raw text was present but this
    returns null (see invalid_if_unparsed), and data_quality_daily counts the flags. -#}
{% macro parse_iso_timestamp(expr) -%}
    {{ return(plausible_timestamp(adapter.dispatch('parse_iso_timestamp')(expr))) }}
{%- endmacro %}

{#- A parsed timestamp, or null outside [1990-01-01, build time + 2 days) (1990: the earliest export day landing
    accepts). Applied to every parsed instant outside the record-time keys the raw gates judge. -#}
{% macro plausible_timestamp(ts) -%}
    case
        when
            ({{ ts }}) >= cast('1990-01-01 00:00:00' as {{ dbt.type_timestamp() }})
            and ({{ ts }}) < {{ dbt.dateadd('day', 2, 'cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
            then ({{ ts }})
    end
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
