{{ day_window_config('schedule_date') }}

{#- One row per planned activity with its local times converted to UTC in the agent's site time zone
    (local_to_utc, DST-correct). Rules in _int_workforce__schedules_utc.yml. -#}

with all_schedules as (

    select * from {{ ref('stg_workforce__schedules') }}

),

{# incremental by day window (macros/incremental/day_window.sql): a planned activity belongs to its schedule_date #}
schedules as (

    select * from all_schedules
    where {{ in_day_window('schedule_date', agent_column='agent_id') }}

),

site_history as (

    select * from {{ ref('int_agents__site_history') }}

),

with_time_zone as (

    select
        schedules.schedule_activity_id,
        schedules.agent_id,
        schedules.schedule_date,
        schedules.activity,
        schedules.starts_at_local,
        schedules.ends_at_local,
        schedules.has_invalid_timestamp,
        schedules.has_invalid_duration,
        schedules.agent_day_exports,
        site_history.site,
        site_history.site_time_zone
    from schedules
    left join site_history
        on
            schedules.agent_id = site_history.agent_id
            and schedules.schedule_date >= site_history.valid_from_date
            and schedules.schedule_date < site_history.valid_to_date

),

converted as (

    select
        *,
        {{ local_to_utc('starts_at_local', 'site_time_zone') }} as started_at,
        {{ local_to_utc('ends_at_local', 'site_time_zone') }} as ended_at
    from with_time_zone

),

classified as (

    select
        *,
        case
            when activity = 'shift' then 'productive'
            when activity = 'absence' then 'absence'
            else 'non_productive'
        end as activity_class,
        activity = 'shift' as is_productive,
        (
            started_at is not null
            and ended_at is not null
            and ended_at > started_at
        ) as is_usable
    from converted

),

final as (

    select
        schedule_activity_id,
        agent_id,
        site,
        site_time_zone,
        schedule_date,
        activity,
        activity_class,
        is_productive,
        starts_at_local,
        ends_at_local,
        started_at,
        ended_at,
        case when is_usable then {{ seconds_between('started_at', 'ended_at') }} end as planned_seconds,
        is_usable,
        has_invalid_timestamp,
        has_invalid_duration,
        agent_day_exports
    from classified
    where {{ in_day_window('schedule_date', agent_column='agent_id') }}

)

select * from final
