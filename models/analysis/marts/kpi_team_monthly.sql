{#- Team KPIs per month x team: kpi_agent_daily re-aggregated by the team each agent-day belonged to (the team at
    the time), ratios recomputed from the summed numerators and denominators. Rules in _kpi_team_monthly.yml. -#}
with agent_daily as (

    select * from {{ ref('kpi_agent_daily') }}

),

quality_scores as (

    select * from {{ ref('int_analysis__quality_scores') }}
    where grain = 'team'

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
            {{ sum_exact(column) }} as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from dated
    group by
        month,
        team

),

with_ratios as (

    select
        *,
        {{ agent_kpi_ratio_columns() }}
    from monthly_sums

),

final as (

    select
        with_ratios.*,
        {{ quality_score_columns('quality_scores') }},
        quality_scores.quality_rank as quality_rank_in_month,
        quality_scores.quality_percentile as quality_percentile_in_month
    from with_ratios
    left join quality_scores
        on
            with_ratios.month = quality_scores.month
            and with_ratios.team = quality_scores.team

)

select * from final
