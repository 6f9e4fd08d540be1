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


{#- A duration the source leaves out when there was none of it: absent (null or empty) counts as 0 where
    `applies_when` holds (e.g. an Amazon Connect leg an agent handled leaves out AfterContactWorkDuration when the
    agent went straight to the next state), else as clean_duration. A value that is present but impossible stays
    null and flagged (is_invalid_duration), so it still makes the contact's handle time unknown. -#}
{% macro clean_duration_absent_as_zero(raw_expr, kind, applies_when) -%}
    case
        when ({{ applies_when }}) and {{ raw_expr }} is null then 0
        else {{ clean_duration(raw_expr, kind) }}
    end
{%- endmacro %}
