{#- The configuration of a day-window incremental model (macros/incremental/day_window.sql), called at the top of
    the model: `{{ day_window_config('date_day', lookback_days=1) }}`. `date_column`: the column the window deletes
    and recomputes by; `lookback_days`: the model's own look-back; agents named for the first time in the window are
    reopened by `agent_id`. -#}
{% macro day_window_config(date_column, lookback_days=0) -%}
    {%- set lookback = ', lookback_days=' ~ lookback_days if lookback_days else '' -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_day_window('" ~ date_column ~ "'" ~ lookback ~ ", agent_column='agent_id') }}",
        post_hook=["{{ forget_day_window() }}", "{{ record_day_window() }}"]
    ) }}
{%- endmacro %}
