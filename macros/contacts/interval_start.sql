{#- Start of the `minutes`-long interval (a divisor of 60) holding timestamp `ts`: the hour, plus whole intervals. -#}
{% macro interval_start(ts, minutes=30) -%}
    {{ dbt.dateadd(
        'minute',
        minutes ~ ' * cast(floor(extract(minute from ' ~ ts ~ ') / ' ~ minutes ~ ') as ' ~ dbt.type_int() ~ ')',
        dbt.date_trunc('hour', ts)
    ) }}
{%- endmacro %}
