{#- Workload per agent x local date (K32): the workload index, continuous on-contact streaks, overtime (the day
    and the last 7 days), consecutive working days and an overload flag with its reasons. Rules in
    _analysis_agent_workload.yml. -#}
{%- set high_workload_index = 1.25 -%}
{%- set overtime_minutes_7d_limit = 120 -%}
{%- set consecutive_days_limit = 6 -%}

with agent_days as (

    select * from {{ ref('int_analysis__agent_days') }}

),

working_days as (

    select
        agent_id,
        date_day,
        row_number() over (partition by agent_id order by date_day) as working_day_number
    from agent_days
    where logged_in_seconds > 0

),

working_islands as (

    select
        agent_id,
        date_day,
        {{ dbt.dateadd('day', '-working_day_number', 'date_day') }} as island_key
    from working_days

),

consecutive_days as (

    select
        agent_id,
        date_day,
        row_number() over (partition by agent_id, island_key order by date_day) as consecutive_working_days
    from working_islands

),

trailing_week as (

    select
        current_day.agent_id,
        current_day.date_day,
        sum(earlier_day.overtime_seconds) / 60.0 as overtime_minutes_7d,
        {{ count_where('earlier_day.has_long_on_contact_streak') }} as long_streak_days_7d,
        {{ count_where('earlier_day.logged_in_seconds > 0') }} as working_days_7d
    from agent_days as current_day
    inner join agent_days as earlier_day
        on
            current_day.agent_id = earlier_day.agent_id
            and current_day.date_day >= earlier_day.date_day
            and {{ dbt.dateadd('day', -7, 'current_day.date_day') }} < earlier_day.date_day
    group by
        current_day.agent_id,
        current_day.date_day

),

joined as (

    select
        agent_days.date_day,
        agent_days.agent_id,
        agent_days.agent_key,
        agent_days.team,
        agent_days.site,
        agent_days.handled,
        agent_days.handled_per_logged_in_hour,
        agent_days.team_median_handled_per_logged_in_hour,
        agent_days.workload_index,
        agent_days.occupancy,
        agent_days.logged_in_seconds / 3600.0 as logged_in_hours,
        agent_days.longest_on_contact_streak_seconds / 60.0 as longest_on_contact_streak_minutes,
        coalesce(agent_days.has_long_on_contact_streak, false) as has_long_on_contact_streak,
        agent_days.overtime_seconds / 60.0 as overtime_minutes,
        coalesce(trailing_week.overtime_minutes_7d, 0) as overtime_minutes_7d,
        coalesce(trailing_week.long_streak_days_7d, 0) as long_streak_days_7d,
        coalesce(trailing_week.working_days_7d, 0) as working_days_7d,
        coalesce(consecutive_days.consecutive_working_days, 0) as consecutive_working_days
    from agent_days
    left join trailing_week
        on
            agent_days.agent_id = trailing_week.agent_id
            and agent_days.date_day = trailing_week.date_day
    left join consecutive_days
        on
            agent_days.agent_id = consecutive_days.agent_id
            and agent_days.date_day = consecutive_days.date_day

),

signals as (

    select
        *,
        coalesce(workload_index >= {{ high_workload_index }}, false) as has_high_workload_index,
        overtime_minutes_7d >= {{ overtime_minutes_7d_limit }} as has_high_overtime_7d,
        consecutive_working_days >= {{ consecutive_days_limit }} as has_long_working_run
    from joined

),

final as (

    select
        date_day,
        agent_id,
        agent_key,
        team,
        site,
        handled,
        logged_in_hours,
        handled_per_logged_in_hour,
        team_median_handled_per_logged_in_hour,
        workload_index,
        occupancy,
        longest_on_contact_streak_minutes,
        has_long_on_contact_streak,
        overtime_minutes,
        overtime_minutes_7d,
        cast(long_streak_days_7d as {{ dbt.type_bigint() }}) as long_streak_days_7d,
        cast(working_days_7d as {{ dbt.type_bigint() }}) as working_days_7d,
        cast(consecutive_working_days as {{ dbt.type_bigint() }}) as consecutive_working_days,
        has_high_workload_index,
        has_high_overtime_7d,
        has_long_working_run,
        cast(
            case when has_high_workload_index then 1 else 0 end
            + case when has_long_on_contact_streak then 1 else 0 end
            + case when has_high_overtime_7d then 1 else 0 end
            + case when has_long_working_run then 1 else 0 end
            as {{ dbt.type_int() }}
        ) as overload_signals,
        has_high_workload_index or has_long_on_contact_streak or has_high_overtime_7d or has_long_working_run
            as is_overloaded
    from signals

)

select * from final
