{{ day_window_config('date_day', lookback_days=1) }}

{#- Agent x local date: the day's logged-in, state and schedule seconds (the sum of the agent's 30-minute
    intervals, each of which lies in one local day), adherence, overtime and the longest continuous stretch on
    contacts. Rules in _int_agents__daily.yml. -#}
{%- set summed_columns = [
    'logged_in_seconds', 'on_contact_seconds', 'acw_seconds', 'handling_seconds', 'available_seconds',
    'not_available_seconds', 'break_seconds', 'lunch_seconds', 'training_seconds', 'meeting_seconds',
    'login_seconds', 'not_ready_seconds', 'scheduled_seconds', 'scheduled_productive_seconds',
    'scheduled_non_productive_seconds', 'scheduled_absence_seconds', 'scheduled_unavailable_seconds',
    'adherence_scheduled_seconds', 'adherent_seconds', 'overtime_seconds',
] -%}

with all_interval_activity as (

    select * from {{ ref('int_agents__interval_activity') }}

),

all_state_intervals as (

    select * from {{ ref('int_agents__state_intervals') }}

),

{# incremental by day window (macros/incremental/day_window.sql), one day of look-back: a handling streak that
    runs past local midnight counts on the day it started; the intervals of the day before the look-back are read
    so that a streak is not cut where the reading starts (a streak longer than a day is not expected) #}
interval_activity as (

    select * from all_interval_activity
    where {{ in_day_window('date_day', lookback_days=1, agent_column='agent_id') }}

),

state_intervals as (

    select * from all_state_intervals
    where {{ in_day_window('date_day', lookback_days=2, agent_column='agent_id') }}

),

daily_totals as (

    select
        agent_id,
        date_day,
        max(site) as site,
        max(site_time_zone) as site_time_zone,
        {%- for column in summed_columns %}
            sum({{ column }}) as {{ column }},
        {%- endfor %}
        max(case when has_state_closed_at_day_end then 1 else 0 end) as has_state_closed_at_day_end_flag
    from interval_activity
    group by
        agent_id,
        date_day

),

ordered_states as (

    select
        agent_id,
        date_day,
        started_at,
        ended_at,
        seconds,
        state_class in ('on_contact', 'acw') as is_handling,
        lag(state_class) over (partition by agent_id order by started_at) as previous_state_class,
        lag(ended_at) over (partition by agent_id order by started_at) as previous_ended_at
    from state_intervals

),

streak_flags as (

    select
        *,
        case
            when
                is_handling
                and previous_state_class in ('on_contact', 'acw')
                and previous_ended_at = started_at
                then 0
            else 1
        end as is_streak_start
    from ordered_states

),

streak_numbers as (

    select
        *,
        sum(is_streak_start) over (
            partition by agent_id
            order by started_at
            rows between unbounded preceding and current row
        ) as streak_number
    from streak_flags

),

streaks as (

    select
        agent_id,
        streak_number,
        min(date_day) as date_day,
        sum(seconds) as streak_seconds
    from streak_numbers
    where is_handling
    group by
        agent_id,
        streak_number

),

longest_streaks as (

    select
        agent_id,
        date_day,
        max(streak_seconds) as longest_on_contact_streak_seconds
    from streaks
    group by
        agent_id,
        date_day

),

final as (

    select
        daily_totals.agent_id,
        daily_totals.date_day,
        daily_totals.site,
        daily_totals.site_time_zone,
        {%- for column in summed_columns %}
            daily_totals.{{ column }},
        {%- endfor %}
        coalesce(longest_streaks.longest_on_contact_streak_seconds, 0) as longest_on_contact_streak_seconds,
        daily_totals.logged_in_seconds > 0 as has_logged_in,
        daily_totals.scheduled_seconds > 0 as is_scheduled,
        daily_totals.has_state_closed_at_day_end_flag = 1 as has_state_closed_at_day_end
    from daily_totals
    left join longest_streaks
        on
            daily_totals.agent_id = longest_streaks.agent_id
            and daily_totals.date_day = longest_streaks.date_day
    where {{ in_day_window('daily_totals.date_day', lookback_days=1, agent_column='daily_totals.agent_id') }}

)

select * from final
