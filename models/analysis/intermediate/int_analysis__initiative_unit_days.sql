{#- Daily KPI numerators and denominators per unit of every scope type the initiative register uses (queue,
    channel, team, agent, issue type): the input of int_analysis__initiative_effects. One row per scope type x unit
    x local day x KPI with a denominator above 0. Rules in _int_analysis__initiative_unit_days.yml. -#}

{#- scope type -> (KPI mart, unit column); KPI -> (numerator, denominator) of that mart, the K-id formulas of
    ../shared/spec/kpis.md -#}
{%- set service_kpis = {
    'abandon_rate': ('abandoned - short_abandoned', 'sl_denominator'),
    'service_level': ('answered_within_sl', 'sl_denominator'),
    'asa_seconds': ('sum_wait_seconds_answered', 'answered_with_wait'),
    'aht_seconds': ('sum_handle_seconds', 'handled_with_handle_time'),
    'transfer_rate': ('transferred', 'answered'),
    'fcr_rate': ('fcr_resolved_first_contact', 'fcr_denominator'),
    'csat_avg': ('csat_sum', 'csat_responses'),
} -%}
{%- set agent_kpis = {
    'aht_seconds': ('sum_handle_seconds', 'handled_with_handle_time'),
    'transfer_rate': ('transferred', 'handled'),
    'fcr_rate': ('fcr_resolved_first_contact', 'fcr_denominator'),
    'csat_avg': ('csat_sum', 'csat_responses'),
} -%}
{%- set issue_type_kpis = {
    'fcr_rate': ('fcr_resolved_first_contact', 'fcr_denominator'),
    'csat_avg': ('csat_sum', 'csat_responses'),
} -%}
{%- set scopes = [
    ('queue', 'service_daily', 'queue_id', service_kpis),
    ('channel', 'service_daily', 'channel', service_kpis),
    ('team', 'agent_daily', 'team', agent_kpis),
    ('agent', 'agent_daily', 'agent_id', agent_kpis),
    ('issue_type', 'issue_type_daily', 'issue_type', issue_type_kpis),
] -%}

with initiatives as (

    select * from {{ ref('initiatives') }}

),

service_daily as (

    select * from {{ ref('kpi_service_daily') }}

),

agent_daily as (

    select * from {{ ref('kpi_agent_daily') }}

),

issue_type_daily as (

    select * from {{ ref('kpi_issue_type_daily') }}

),

scope_types as (

    select distinct scope_type from initiatives

),

{% for scope_type, source, unit_column, kpis in scopes %}
    {{ scope_type }}_days as (

        select
            '{{ scope_type }}' as scope_type,
            cast({{ unit_column }} as {{ dbt.type_string() }}) as unit_id,
            date_day,
            {%- for kpi, parts in kpis.items() %}
                {{ sum_exact(parts[0]) }} as {{ kpi }}__numerator,
                sum({{ parts[1] }}) as {{ kpi }}__denominator{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ source }}
        where
            {{ unit_column }} is not null
            and '{{ scope_type }}' in (select scope_types.scope_type from scope_types)
        group by 1, 2, 3

    ),

    {{ scope_type }}_kpis as (

        {% for kpi in kpis %}
            select
                scope_type,
                unit_id,
                date_day,
                '{{ kpi }}' as kpi,
                cast({{ kpi }}__numerator as {{ type_double() }}) as numerator,
                cast({{ kpi }}__denominator as {{ type_double() }}) as denominator
            from {{ scope_type }}_days
            where {{ kpi }}__denominator > 0
            {%- if not loop.last %}
                union all
            {%- endif %}
        {% endfor %}

    ),

{% endfor %}
final as (

    {% for scope in scopes %}
        select * from {{ scope[0] }}_kpis
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

)

select * from final
