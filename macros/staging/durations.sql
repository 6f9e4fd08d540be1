{#- Durations in whole seconds, exported as text. A duration is impossible when it is negative,
    above its ceiling, or not a number: it becomes null and the row is flagged (has_invalid_duration).

    Ceilings (documented here, used by the staging models):
      call_part   4 h  = 14400 s  one part of a call leg: queue wait, talk, hold, after-contact work
                                  (var max_call_part_seconds)
      activity   24 h  = 86400 s  one planned workforce activity (var max_activity_seconds) -#}
{% macro duration_ceiling(kind) -%}
    {%- set ceilings = {
        'call_part': var('max_call_part_seconds', 14400),
        'activity': var('max_activity_seconds', 86400),
    } -%}
    {{ return(ceilings[kind]) }}
{%- endmacro %}


{#- The cleaned duration: the whole seconds when 0 <= value <= ceiling, else null. -#}
{% macro clean_duration(raw_expr, kind) -%}
    case
        when {{ safe_to_integer(raw_expr) }} between 0 and {{ duration_ceiling(kind) }}
            then {{ safe_to_integer(raw_expr) }}
    end
{%- endmacro %}


{#- True when a duration was given but is negative, above its ceiling or not a number. -#}
{% macro is_invalid_duration(raw_expr, kind) -%}
    ({{ raw_expr }} is not null and coalesce({{ safe_to_integer(raw_expr) }} not between 0 and {{ duration_ceiling(kind) }}, true))
{%- endmacro %}
