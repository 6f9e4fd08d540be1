{#- Agent KPIs per month x agent: the monthly re-aggregation of kpi_agent_daily (summed numerators and
    denominators, ratios recomputed from them) and the monthly workload index. Rules in _kpi_agent_monthly.yml. -#}
with agent_daily as (

    select * from {{ ref('kpi_agent_daily') }}

),

quality_scores as (

    select * from {{ ref('int_analysis__quality_scores') }}
    where grain = 'agent'

),

segments as (

    select * from {{ ref('int_analysis__agent_segments') }}
    where row_type = 'agent'

),

dated as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month,
        row_number() over (
            partition by agent_id, cast({{ dbt.date_trunc('month', 'date_day') }} as date)
            order by date_day desc
        ) as recency_in_month
    from agent_daily

),

last_days as (

    select
        agent_id,
        month,
        agent_key,
        team,
        site
    from dated
    where recency_in_month = 1

),

monthly_sums as (

    select
        agent_id,
        month,
        count(*) as days,
        {{ count_where('has_activity') }} as days_with_activity,
        {{ count_where('handled > 0') }} as days_with_contacts,
        {{ count_where('has_long_on_contact_streak') }} as days_with_long_on_contact_streak,
        max(longest_on_contact_streak_seconds) as longest_on_contact_streak_seconds,
        {%- for column in agent_kpi_count_columns() %}
            cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in agent_kpi_seconds_columns() %}
            {{ sum_exact(column) }} as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from dated
    group by
        agent_id,
        month

),

with_ratios as (

    select
        monthly_sums.*,
        last_days.agent_key,
        last_days.team,
        last_days.site,
        {{ agent_kpi_ratio_columns() }}
    from monthly_sums
    inner join last_days
        on
            monthly_sums.agent_id = last_days.agent_id
            and monthly_sums.month = last_days.month

),

team_medians as (

    select
        month,
        team,
        {{ percentile_cont('handled_per_logged_in_hour', 0.5) }} as team_median_handled_per_logged_in_hour
    from with_ratios
    where team is not null
    group by
        month,
        team

),

final as (

    select
        with_ratios.month,
        with_ratios.agent_id,
        with_ratios.agent_key,
        with_ratios.team,
        with_ratios.site,
        with_ratios.days,
        with_ratios.days_with_activity,
        with_ratios.days_with_contacts,
        {%- for column in agent_kpi_count_columns() %}
            with_ratios.{{ column }},
        {%- endfor %}
        {%- for column in agent_kpi_seconds_columns() %}
            with_ratios.{{ column }},
        {%- endfor %}
        with_ratios.aht_seconds,
        with_ratios.mean_talk_seconds,
        with_ratios.mean_hold_seconds,
        with_ratios.mean_acw_seconds,
        with_ratios.occupancy,
        with_ratios.utilization,
        with_ratios.adherence,
        with_ratios.contacts_per_productive_hour,
        with_ratios.transfer_rate,
        with_ratios.fcr_rate,
        with_ratios.csat_avg,
        with_ratios.csat_pct,
        with_ratios.handled_per_logged_in_hour,
        cast(team_medians.team_median_handled_per_logged_in_hour as {{ type_double() }})
            as team_median_handled_per_logged_in_hour,
        {{ ratio('with_ratios.handled_per_logged_in_hour', 'team_medians.team_median_handled_per_logged_in_hour') }}
            as workload_index,
        with_ratios.days_with_long_on_contact_streak,
        with_ratios.longest_on_contact_streak_seconds,
        {{ quality_score_columns('quality_scores') }},
        quality_scores.quality_rank as quality_rank_in_team,
        quality_scores.quality_percentile as quality_percentile_in_team,
        cast(segments.segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segments.segment as {{ dbt.type_string() }}) as segment
    from with_ratios
    left join team_medians
        on
            with_ratios.month = team_medians.month
            and with_ratios.team = team_medians.team
    left join quality_scores
        on
            with_ratios.month = quality_scores.month
            and with_ratios.agent_id = quality_scores.agent_id
    left join segments
        on
            with_ratios.month = cast(segments.month as date)
            and with_ratios.agent_id = segments.agent_id

)

select * from final
