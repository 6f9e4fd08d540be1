{#- The monthly sums of int_analysis__agent_days that int_analysis__agent_months and int_analysis__team_months
    share (aggregate select-list lines), and the ratios recomputed from them. Every ratio is a ratio of sums, never
    an average of daily ratios. -#}
{% macro analysis_month_sum_columns() -%}
        count(*) as days,
        {{ count_where('has_activity') }} as days_with_activity,
        {{ count_where('adherence_scheduled_seconds > 0') }} as days_with_schedule,
        {%- for column in agent_kpi_count_columns() + [
            'answered_with_wait', 'live_handled_with_handle_time', 'first_response_contacts', 'negative_responses'
        ] %}
        cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in agent_kpi_seconds_columns() + [
            'sum_wait_seconds_answered', 'sum_live_handle_seconds', 'sum_first_response_seconds'
        ] %}
        {{ sum_exact(column) }} as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}

{% macro analysis_month_ratio_columns() -%}
        {{ agent_kpi_ratio_columns() }},
        {{ ratio('sum_wait_seconds_answered', 'answered_with_wait') }} as asa_seconds,
        {{ ratio('sum_live_handle_seconds', 'live_handled_with_handle_time') }} as live_aht_seconds,
        {{ ratio('sum_first_response_seconds', 'first_response_contacts') }} as first_response_seconds,
        {{ ratio('negative_responses', 'csat_responses') }} as negative_feedback_rate
{%- endmacro %}

{#- The KPIs the quality score can use (the `kpi` names of seeds/quality_score_weights.csv): kpi -> [value column,
    observation-count column] of int_analysis__agent_months / int_analysis__team_months. The count is what min_n
    of the seed is compared with. tests/dbt/analysis/assert_quality_score_kpis_are_supported fails for a seed KPI
    missing here. -#}
{% macro quality_score_kpi_columns() -%}
    {{ return({
        'csat_pct': ['csat_pct', 'csat_responses'],
        'csat_avg': ['csat_avg', 'csat_responses'],
        'negative_feedback_rate': ['negative_feedback_rate', 'csat_responses'],
        'fcr_rate': ['fcr_rate', 'fcr_denominator'],
        'transfer_rate': ['transfer_rate', 'handled'],
        'first_response_seconds': ['first_response_seconds', 'first_response_contacts'],
        'asa_seconds': ['asa_seconds', 'answered_with_wait'],
        'aht_seconds': ['live_aht_seconds', 'live_handled_with_handle_time'],
        'contacts_per_productive_hour': ['contacts_per_productive_hour', 'handled'],
        'occupancy': ['occupancy', 'days_with_activity'],
        'utilization': ['utilization', 'days_with_activity'],
        'adherence': ['adherence', 'days_with_schedule'],
    }) }}
{%- endmacro %}

{#- The quality dimensions with a score column of their own (<dimension>_score), in the order of kpis.md.
    tests/dbt/analysis/assert_quality_score_kpis_are_supported fails for a seed dimension missing here. -#}
{% macro quality_score_dimensions() -%}
    {{ return(['customer_feedback', 'resolution', 'speed', 'efficiency', 'adherence']) }}
{%- endmacro %}

{#- The quality score columns kpi_agent_monthly and kpi_team_monthly take from int_analysis__quality_scores
    (select-list lines, the relation alias given). -#}
{% macro quality_score_columns(alias) -%}
        {{ alias }}.quality_score,
        {%- for dimension in quality_score_dimensions() %}
        {{ alias }}.{{ dimension }}_score,
        {%- endfor %}
        {{ alias }}.kpis_used as quality_kpis_used,
        {{ alias }}.kpis_total as quality_kpis_total
{%- endmacro %}
