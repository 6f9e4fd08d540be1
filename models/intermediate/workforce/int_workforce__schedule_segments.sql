{{ day_window_config('date_day') }}

{#- The plan of each agent as a timeline without overlaps, cut at 30-minute boundaries: one row per stretch of
    time in one half hour covered by one planned activity. Where activities overlap (a break inside a shift),
    the nested activity wins, so each planned second is counted once. Rules in
    _int_workforce__schedule_segments.yml. -#}

with schedules as (

    select * from {{ ref('int_workforce__schedules_utc') }}

),

{# incremental by day window (macros/incremental/day_window.sql): the window's days are covered by activities
    planned for them and for the two days before (an activity lasts at most 24 hours and may cross midnight) #}
usable_activities as (

    select * from schedules
    where
        is_usable
        and {{ in_day_window('schedule_date', lookback_days=2, agent_column='agent_id') }}

),

day_offsets as (

    {{ dbt.generate_series(3) }}

),

{# Each activity under every UTC day it touches (an activity lasts at most 24 h of local time, so at most three
    days), so that spans find their covering activities with an equality join on (agent, day) instead of
    comparing every span with every activity of the agent's year. #}
activity_days as (

    select
        usable_activities.*,
        cast({{ dbt.dateadd(
            'day', 'day_offsets.generated_number - 1', 'cast(usable_activities.started_at as date)'
        ) }} as date) as cover_day
    from usable_activities
    cross join day_offsets
    where
        {{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'cast(usable_activities.started_at as date)') }}
        <= cast(usable_activities.ended_at as date)

),

boundaries as (

    select
        agent_id,
        started_at as boundary_at
    from usable_activities
    union
    select
        agent_id,
        ended_at as boundary_at
    from usable_activities

),

elementary_spans as (

    select
        agent_id,
        boundary_at as span_started_at,
        lead(boundary_at) over (partition by agent_id order by boundary_at) as span_ended_at
    from boundaries

),

covering_activities as (

    select
        elementary_spans.agent_id,
        elementary_spans.span_started_at,
        elementary_spans.span_ended_at,
        activity_days.schedule_activity_id,
        activity_days.site,
        activity_days.site_time_zone,
        activity_days.schedule_date,
        activity_days.activity,
        activity_days.activity_class,
        row_number() over (
            partition by elementary_spans.agent_id, elementary_spans.span_started_at
            order by
                case when activity_days.activity = 'shift' then 1 else 0 end,
                activity_days.started_at desc,
                activity_days.activity asc,
                activity_days.schedule_activity_id asc
        ) as cover_rank
    from elementary_spans
    inner join activity_days
        on
            elementary_spans.agent_id = activity_days.agent_id
            and cast(elementary_spans.span_started_at as date) = activity_days.cover_day
            and elementary_spans.span_started_at >= activity_days.started_at
            and elementary_spans.span_ended_at <= activity_days.ended_at
    where elementary_spans.span_ended_at is not null

),

plan_spans as (

    select * from covering_activities
    where cover_rank = 1

),

{# Each winning span under every UTC half hour it overlaps (macros/workforce/split_at_half_hours.sql). #}
cut_at_half_hours as (

    {{ split_at_half_hours('plan_spans', [
        'schedule_activity_id', 'agent_id', 'site', 'site_time_zone', 'schedule_date', 'activity', 'activity_class'
    ], 'span_started_at', 'span_ended_at') }}

),

final as (

    select
        schedule_activity_id,
        agent_id,
        site,
        site_time_zone,
        schedule_date,
        cast({{ utc_to_local('started_at', 'site_time_zone') }} as date) as date_day,
        interval_start_at,
        activity,
        activity_class,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as seconds
    from cut_at_half_hours
    where {{ in_day_window('date_day', agent_column='agent_id') }}

)

select * from final
