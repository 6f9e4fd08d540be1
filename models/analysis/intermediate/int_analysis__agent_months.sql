{#- Month x agent: the sums of int_analysis__agent_days and the KPIs the quality score and the segmentation use,
    each with the number of observations behind it. team / site are those of the agent's last day in the month
    (as in kpi_agent_monthly). Rules in _int_analysis__agent_months.yml. -#}
with agent_days as (

    select * from {{ ref('int_analysis__agent_days') }}

),

ranked_days as (

    select
        *,
        row_number() over (partition by agent_id, month order by date_day desc) as recency_in_month
    from agent_days

),

last_days as (

    select
        agent_id,
        month,
        team,
        site
    from ranked_days
    where recency_in_month = 1

),

monthly_sums as (

    select
        agent_id,
        month,
        {{ analysis_month_sum_columns() }}
    from agent_days
    group by
        agent_id,
        month

),

final as (

    select
        monthly_sums.*,
        last_days.team,
        last_days.site,
        {{ analysis_month_ratio_columns() }}
    from monthly_sums
    inner join last_days
        on
            monthly_sums.agent_id = last_days.agent_id
            and monthly_sums.month = last_days.month

)

select * from final
