{#- Seconds from `start_at` to `end_at` (UTC timestamps), with the milliseconds kept (chat times have them), as a
    double. Negative when end_at is before start_at; null when either is null. -#}
{% macro seconds_between(start_at, end_at) -%}
    (cast({{ dbt.datediff(start_at, end_at, 'millisecond') }} as {{ type_double() }}) / 1000)
{%- endmacro %}

{#- The same, but null instead of negative (clock skew makes no duration). -#}
{% macro elapsed_seconds(start_at, end_at) -%}
    case
        when {{ end_at }} >= {{ start_at }} then {{ seconds_between(start_at, end_at) }}
    end
{%- endmacro %}
