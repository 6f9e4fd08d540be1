{#- Team KPIs per month x team: kpi_agent_daily re-aggregated by the team each agent-day belonged to (the team at
    the time), ratios recomputed from the summed numerators and denominators. Rules in _kpi__models.yml. -#}
with agent_daily as (

    select * from {{ ref('kpi_agent_daily') }}

),

dated as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month
    from agent_daily
    where team is not null

),

monthly_sums as (

    select
        month,
        team,
        count(distinct agent_id) as agents,
        {{ count_where('has_activity') }} as agent_days_with_activity,
        {{ count_where('has_long_on_contact_streak') }} as agent_days_with_long_on_contact_streak,
        max(longest_on_contact_streak_seconds) as longest_on_contact_streak_seconds,
        {%- for column in agent_kpi_count_columns() %}
        cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in agent_kpi_seconds_columns() %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from dated
    group by
        month,
        team

),

final as (

    select
        *,
        {{ agent_kpi_ratio_columns() }}
    from monthly_sums

)

select * from final
