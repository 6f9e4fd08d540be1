{#- Epoch milliseconds (text or number) -> UTC timestamp; null when not a whole number or outside
    the range [2000-01-01, 2100-01-01) (which also catches epoch seconds sent by mistake,
    and values so large that the engine could not represent them), or implausible (plausible_timestamp:
    after the build time + 2 days). -#}
{% macro epoch_ms_to_timestamp(expr) -%}
    {{ return(plausible_timestamp(adapter.dispatch('epoch_ms_to_timestamp')(expr))) }}
{%- endmacro %}

{% macro epoch_ms_plausible_bounds() -%}
    {#- 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in epoch milliseconds -#}
    {{ return((946684800000, 4102444800000)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(expr) -%}
    {%- set bounds = epoch_ms_plausible_bounds() -%}
    {%- set ms = safe_to_integer(expr) -%}
    case
        when {{ ms }} >= {{ bounds[0] }} and {{ ms }} < {{ bounds[1] }}
            then {{ dbt.dateadd('millisecond', ms, "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
    end
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(expr) -%}
    {%- set bounds = epoch_ms_plausible_bounds() -%}
    {%- set ms = safe_to_integer(expr) -%}
    case
        when {{ ms }} >= {{ bounds[0] }} and {{ ms }} < {{ bounds[1] }}
            then epoch_ms({{ ms }})
    end
{%- endmacro %}

{#- Spark: timestamp_millis (dbt-spark's dateadd has no millisecond part). -#}
{% macro spark__epoch_ms_to_timestamp(expr) -%}
    {%- set bounds = epoch_ms_plausible_bounds() -%}
    {%- set ms = safe_to_integer(expr) -%}
    case
        when {{ ms }} >= {{ bounds[0] }} and {{ ms }} < {{ bounds[1] }}
            then timestamp_millis({{ ms }})
    end
{%- endmacro %}
