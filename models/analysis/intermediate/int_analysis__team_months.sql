{#- Month x team: the sums of int_analysis__agent_days by the team of each agent-day (the team at the time, as in
    kpi_team_monthly) and the KPIs the quality score uses, each with the number of observations behind it. Rules
    in _int_analysis__team_months.yml. -#}
with agent_days as (

    select * from {{ ref('int_analysis__agent_days') }}

),

monthly_sums as (

    select
        team,
        month,
        count(distinct agent_id) as agents,
        {{ analysis_month_sum_columns() }}
    from agent_days
    where team is not null
    group by
        team,
        month

),

final as (

    select
        *,
        {{ analysis_month_ratio_columns() }}
    from monthly_sums

)

select * from final
