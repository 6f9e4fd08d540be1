{#- int_agents__daily holds together: its parts add up, adherence and overtime stay within their bases, and the
    day's state seconds equal fct_agent_states summed by agent and local date, its planned seconds the net
    seconds of fct_schedules (every planned second counted once). -#}

with daily as (

    select * from {{ ref('int_agents__daily') }}

),

agent_states as (

    select * from {{ ref('fct_agent_states') }}

),

schedules as (

    select * from {{ ref('fct_schedules') }}

),

state_totals as (

    select
        agent_id,
        date_day,
        sum(seconds) as state_seconds,
        sum(case when state_class in ('on_contact', 'acw') then seconds else 0 end) as handling_seconds
    from agent_states
    group by
        agent_id,
        date_day

),

daily_failures as (

    select
        agent_id,
        date_day,
        'parts do not add up' as failure
    from daily
    where
        abs(logged_in_seconds - (on_contact_seconds + acw_seconds + available_seconds + not_available_seconds)) > 0.001
        or abs(
            not_available_seconds
            - (
                break_seconds + lunch_seconds + training_seconds + meeting_seconds + login_seconds
                + not_ready_seconds
            )
        ) > 0.001
        or abs(handling_seconds - (on_contact_seconds + acw_seconds)) > 0.001
        or abs(
            scheduled_seconds
            - (scheduled_productive_seconds + scheduled_non_productive_seconds + scheduled_absence_seconds)
        ) > 0.001
        or adherent_seconds > adherence_scheduled_seconds + 0.001
        or overtime_seconds > logged_in_seconds + 0.001
        or longest_on_contact_streak_seconds > logged_in_seconds + 0.001

),

state_failures as (

    select
        coalesce(daily.agent_id, state_totals.agent_id) as agent_id,
        coalesce(daily.date_day, state_totals.date_day) as date_day,
        'differs from fct_agent_states' as failure
    from daily
    full outer join state_totals
        on
            daily.agent_id = state_totals.agent_id
            and daily.date_day = state_totals.date_day
    where
        abs(coalesce(daily.logged_in_seconds, 0) - coalesce(state_totals.state_seconds, 0)) > 0.001
        or abs(coalesce(daily.handling_seconds, 0) - coalesce(state_totals.handling_seconds, 0)) > 0.001

),

planned_by_agent as (

    select
        agent_id,
        sum(net_seconds) as net_seconds
    from schedules
    where is_usable
    group by agent_id

),

daily_planned_by_agent as (

    select
        agent_id,
        sum(scheduled_seconds) as scheduled_seconds
    from daily
    group by agent_id

),

plan_failures as (

    select
        coalesce(planned_by_agent.agent_id, daily_planned_by_agent.agent_id) as agent_id,
        cast(null as date) as date_day,
        'planned seconds differ from fct_schedules net seconds' as failure
    from planned_by_agent
    full outer join daily_planned_by_agent
        on planned_by_agent.agent_id = daily_planned_by_agent.agent_id
    where abs(coalesce(planned_by_agent.net_seconds, 0) - coalesce(daily_planned_by_agent.scheduled_seconds, 0)) > 0.001

),

final as (

    select * from daily_failures
    union all
    select * from state_failures
    union all
    select * from plan_failures

)

select * from final
