{{ day_window_config('date_day') }}

{#- Agent x 30-minute interval: what the agent did (state seconds) and what was planned (schedule seconds), and
    how the two matched (adherence, overtime). Rules in _int_agents__interval_activity.yml. -#}

with all_state_segments as (

    select * from {{ ref('int_agents__state_segments') }}

),

all_schedule_segments as (

    select * from {{ ref('int_workforce__schedule_segments') }}

),

{# incremental by day window (macros/incremental/day_window.sql): each half hour lies in one local day #}
state_segments as (

    select * from all_state_segments
    where {{ in_day_window('date_day', agent_column='agent_id') }}

),

schedule_segments as (

    select * from all_schedule_segments
    where {{ in_day_window('date_day', agent_column='agent_id') }}

),

actual_by_interval as (

    select
        agent_id,
        interval_start_at,
        max(site) as site,
        max(site_time_zone) as site_time_zone,
        max(date_day) as date_day,
        sum(seconds) as logged_in_seconds,
        sum(case when state_class = 'on_contact' then seconds else 0 end) as on_contact_seconds,
        sum(case when state_class = 'acw' then seconds else 0 end) as acw_seconds,
        sum(case when state_class = 'available' then seconds else 0 end) as available_seconds,
        sum(case when state_class = 'not_available' then seconds else 0 end) as not_available_seconds,
        {%- for state in ['break', 'lunch', 'training', 'meeting', 'login'] %}
            sum(case when state = '{{ state | upper }}' then seconds else 0 end) as {{ state }}_seconds,
        {%- endfor %}
        sum(case when state in ('NOT_READY', 'OTHER') then seconds else 0 end) as not_ready_seconds,
        max(case when is_closed_at_day_end then 1 else 0 end) as has_closed_at_day_end
    from state_segments
    group by
        agent_id,
        interval_start_at

),

planned_by_interval as (

    select
        agent_id,
        interval_start_at,
        max(site) as site,
        max(site_time_zone) as site_time_zone,
        max(date_day) as date_day,
        sum(seconds) as scheduled_seconds,
        sum(case when activity_class = 'productive' then seconds else 0 end) as scheduled_productive_seconds,
        sum(case when activity_class = 'non_productive' then seconds else 0 end) as scheduled_non_productive_seconds,
        sum(case when activity_class = 'absence' then seconds else 0 end) as scheduled_absence_seconds
    from schedule_segments
    group by
        agent_id,
        interval_start_at

),

state_plan_overlaps as (

    select
        schedule_segments.agent_id,
        schedule_segments.interval_start_at,
        schedule_segments.activity_class,
        state_segments.state_class,
        {{ seconds_between(
            'case when state_segments.started_at > schedule_segments.started_at'
            ~ ' then state_segments.started_at else schedule_segments.started_at end',
            'case when state_segments.ended_at < schedule_segments.ended_at'
            ~ ' then state_segments.ended_at else schedule_segments.ended_at end'
        ) }} as overlap_seconds
    from schedule_segments
    inner join state_segments
        on
            schedule_segments.agent_id = state_segments.agent_id
            and schedule_segments.interval_start_at = state_segments.interval_start_at
            and schedule_segments.ended_at > state_segments.started_at
            and schedule_segments.started_at < state_segments.ended_at

),

overlaps_by_interval as (

    select
        agent_id,
        interval_start_at,
        sum(case
            when activity_class = 'productive' and state_class <> 'not_available' then overlap_seconds else 0
        end) as productive_plan_productive_state_seconds,
        sum(case
            when activity_class = 'non_productive' and state_class <> 'not_available' then overlap_seconds else 0
        end) as non_productive_plan_productive_state_seconds,
        sum(case
            when activity_class <> 'absence' then overlap_seconds else 0
        end) as logged_in_planned_seconds
    from state_plan_overlaps
    group by
        agent_id,
        interval_start_at

),

agent_intervals as (

    select
        agent_id,
        interval_start_at
    from actual_by_interval
    union
    select
        agent_id,
        interval_start_at
    from planned_by_interval

),

combined as (

    select
        agent_intervals.agent_id,
        agent_intervals.interval_start_at,
        coalesce(actual_by_interval.site, planned_by_interval.site) as site,
        coalesce(actual_by_interval.site_time_zone, planned_by_interval.site_time_zone) as site_time_zone,
        coalesce(actual_by_interval.date_day, planned_by_interval.date_day) as date_day,
        coalesce(actual_by_interval.logged_in_seconds, 0) as logged_in_seconds,
        coalesce(actual_by_interval.on_contact_seconds, 0) as on_contact_seconds,
        coalesce(actual_by_interval.acw_seconds, 0) as acw_seconds,
        coalesce(actual_by_interval.available_seconds, 0) as available_seconds,
        coalesce(actual_by_interval.not_available_seconds, 0) as not_available_seconds,
        {%- for state in ['break', 'lunch', 'training', 'meeting', 'login', 'not_ready'] %}
            coalesce(actual_by_interval.{{ state }}_seconds, 0) as {{ state }}_seconds,
        {%- endfor %}
        coalesce(planned_by_interval.scheduled_seconds, 0) as scheduled_seconds,
        coalesce(planned_by_interval.scheduled_productive_seconds, 0) as scheduled_productive_seconds,
        coalesce(planned_by_interval.scheduled_non_productive_seconds, 0) as scheduled_non_productive_seconds,
        coalesce(planned_by_interval.scheduled_absence_seconds, 0) as scheduled_absence_seconds,
        coalesce(overlaps_by_interval.productive_plan_productive_state_seconds, 0)
            as productive_plan_productive_state_seconds,
        coalesce(overlaps_by_interval.non_productive_plan_productive_state_seconds, 0)
            as non_productive_plan_productive_state_seconds,
        coalesce(overlaps_by_interval.logged_in_planned_seconds, 0) as logged_in_planned_seconds,
        coalesce(actual_by_interval.has_closed_at_day_end, 0) = 1 as has_state_closed_at_day_end
    from agent_intervals
    left join actual_by_interval
        on
            agent_intervals.agent_id = actual_by_interval.agent_id
            and agent_intervals.interval_start_at = actual_by_interval.interval_start_at
    left join planned_by_interval
        on
            agent_intervals.agent_id = planned_by_interval.agent_id
            and agent_intervals.interval_start_at = planned_by_interval.interval_start_at
    left join overlaps_by_interval
        on
            agent_intervals.agent_id = overlaps_by_interval.agent_id
            and agent_intervals.interval_start_at = overlaps_by_interval.interval_start_at

),

final as (

    select
        agent_id,
        interval_start_at,
        {{ dbt.dateadd('minute', 30, 'interval_start_at') }} as interval_end_at,
        {{ utc_to_local('interval_start_at', 'site_time_zone') }} as interval_start_at_local,
        date_day,
        site,
        site_time_zone,
        logged_in_seconds,
        on_contact_seconds,
        acw_seconds,
        on_contact_seconds + acw_seconds as handling_seconds,
        available_seconds,
        not_available_seconds,
        break_seconds,
        lunch_seconds,
        training_seconds,
        meeting_seconds,
        login_seconds,
        not_ready_seconds,
        scheduled_seconds,
        scheduled_productive_seconds,
        scheduled_non_productive_seconds,
        scheduled_absence_seconds,
        scheduled_non_productive_seconds + scheduled_absence_seconds as scheduled_unavailable_seconds,
        scheduled_productive_seconds + scheduled_non_productive_seconds as adherence_scheduled_seconds,
        productive_plan_productive_state_seconds
        + scheduled_non_productive_seconds
        - non_productive_plan_productive_state_seconds as adherent_seconds,
        logged_in_seconds - logged_in_planned_seconds as overtime_seconds,
        scheduled_productive_seconds / 1800.0 as scheduled_productive_agents,
        logged_in_seconds / 1800.0 as logged_in_agents,
        has_state_closed_at_day_end
    from combined
    where {{ in_day_window('date_day', agent_column='agent_id') }}

)

select * from final
