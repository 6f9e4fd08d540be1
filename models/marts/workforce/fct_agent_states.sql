{{ day_window_config('date_day') }}

{#- One row per agent state interval cut at local midnight and at 30-minute boundaries, with the agent version
    (team) at the time. Rules in _workforce__models.yml. -#}

with all_state_segments as (

    select * from {{ ref('int_agents__state_segments') }}

),

{# incremental by day window (macros/incremental/day_window.sql): the days the segments recomputed #}
state_segments as (

    select * from all_state_segments
    where {{ in_day_window('date_day', agent_column='agent_id') }}

),

agent_versions as (

    select * from {{ ref('dim_agents') }}

),

with_agent_version as (

    select
        state_segments.*,
        version_at_start.agent_key,
        version_at_start.team
    from state_segments
    left join agent_versions as version_at_start
        on
            state_segments.agent_id = version_at_start.agent_id
            and {{ agent_version_in_force('version_at_start', 'state_segments.started_at') }}

),

final as (

    select
        agent_state_id,
        state_interval_id,
        agent_id,
        agent_key,
        team,
        site,
        site_time_zone,
        date_day,
        interval_start_at,
        {{ utc_to_local('interval_start_at', 'site_time_zone') }} as interval_start_at_local,
        state,
        state_class,
        state_class in ('on_contact', 'acw', 'available') as is_productive_state,
        started_at,
        ended_at,
        {{ utc_to_local('started_at', 'site_time_zone') }} as started_at_local,
        {{ utc_to_local('ended_at', 'site_time_zone') }} as ended_at_local,
        seconds,
        is_closed_at_day_end
    from with_agent_version

)

select * from final
