{#- The additive columns of kpi_agent_daily that its monthly and team re-aggregations sum (counts first, then
    seconds), and the ratio columns they recompute from those sums. -#}
{% macro agent_kpi_count_columns() -%}
    {{ return([
        'handled', 'handled_phone', 'handled_chat', 'handled_email', 'handled_web_form', 'handled_with_handle_time',
        'transferred', 'fcr_resolved_first_contact', 'fcr_denominator', 'fcr_pending', 'surveys_sent',
        'surveys_responded', 'csat_responses', 'csat_top2_responses',
    ]) }}
{%- endmacro %}

{% macro agent_kpi_seconds_columns() -%}
    {{ return([
        'sum_handle_seconds', 'sum_talk_seconds', 'sum_hold_seconds', 'sum_acw_seconds', 'csat_sum',
        'logged_in_seconds', 'on_contact_seconds', 'acw_seconds', 'handling_seconds', 'available_seconds',
        'not_available_seconds', 'break_seconds', 'lunch_seconds', 'training_seconds', 'meeting_seconds',
        'scheduled_seconds', 'scheduled_productive_seconds', 'adherence_scheduled_seconds', 'adherent_seconds',
        'overtime_seconds', 'productive_seconds',
    ]) }}
{%- endmacro %}

{#- The K10-K17 and K22-K23 ratios from the summed columns, as select-list lines `<expression> as <name>`. -#}
{% macro agent_kpi_ratio_columns() -%}
    {{ ratio('sum_handle_seconds', 'handled_with_handle_time') }} as aht_seconds,
    {{ ratio('sum_talk_seconds', 'handled_with_handle_time') }} as mean_talk_seconds,
    {{ ratio('sum_hold_seconds', 'handled_with_handle_time') }} as mean_hold_seconds,
    {{ ratio('sum_acw_seconds', 'handled_with_handle_time') }} as mean_acw_seconds,
    {{ ratio('handling_seconds', 'productive_seconds') }} as occupancy,
    {{ ratio('handling_seconds', 'logged_in_seconds') }} as utilization,
    {{ ratio('adherent_seconds', 'adherence_scheduled_seconds') }} as adherence,
    {{ ratio('handled * 3600', 'productive_seconds') }} as contacts_per_productive_hour,
    {{ ratio('transferred', 'handled') }} as transfer_rate,
    {{ ratio('fcr_resolved_first_contact', 'fcr_denominator') }} as fcr_rate,
    {{ ratio('csat_sum', 'csat_responses') }} as csat_avg,
    {{ ratio('csat_top2_responses', 'csat_responses') }} as csat_pct,
    {{ ratio('handled * 3600', 'logged_in_seconds') }} as handled_per_logged_in_hour
{%- endmacro %}
