{{ day_window_config('schedule_date') }}

{#- One row per planned activity, UTC and local times, with the seconds it adds to the plan once nested
    activities are taken out (net_seconds). Rules in _workforce__models.yml. -#}

with all_schedules as (

    select * from {{ ref('int_workforce__schedules_utc') }}

),

all_schedule_segments as (

    select * from {{ ref('int_workforce__schedule_segments') }}

),

{# incremental by day window (macros/incremental/day_window.sql): the activities of the window's schedule days and
    their segments (which start on or after the activity's own day) #}
schedules as (

    select * from all_schedules
    where {{ in_day_window('schedule_date', agent_column='agent_id') }}

),

schedule_segments as (

    select * from all_schedule_segments
    where {{ in_day_window('schedule_date', agent_column='agent_id') }}

),

agent_versions as (

    select * from {{ ref('dim_agents') }}

),

net_by_activity as (

    select
        schedule_activity_id,
        sum(seconds) as net_seconds
    from schedule_segments
    group by schedule_activity_id

),

with_net as (

    select
        schedules.*,
        case
            when schedules.is_usable then coalesce(net_by_activity.net_seconds, 0)
        end as net_seconds
    from schedules
    left join net_by_activity
        on schedules.schedule_activity_id = net_by_activity.schedule_activity_id

),

with_agent_version as (

    select
        with_net.*,
        version_at_start.agent_key,
        version_at_start.team
    from with_net
    left join agent_versions as version_at_start
        on
            with_net.agent_id = version_at_start.agent_id
            and {{ agent_version_in_force('version_at_start', 'with_net.started_at') }}

),

final as (

    select
        schedule_activity_id,
        agent_id,
        agent_key,
        team,
        site,
        site_time_zone,
        schedule_date,
        activity,
        activity_class,
        is_productive,
        started_at,
        ended_at,
        starts_at_local as started_at_local,
        ends_at_local as ended_at_local,
        planned_seconds,
        net_seconds,
        case when is_productive then net_seconds else 0 end as productive_seconds,
        is_usable,
        has_invalid_timestamp,
        has_invalid_duration,
        agent_day_exports > 1 as is_replanned
    from with_agent_version

)

select * from final
