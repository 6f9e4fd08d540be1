{#- Agent state intervals cut at every 30-minute boundary (UTC half hours of int_workforce__half_hours): one row
    per state interval and half hour it overlaps. Local midnight falls on a UTC half hour in every time zone whose
    offset is a whole number of half hours (all of the sample's), so the cut at half hours is also the cut at
    local midnight; date_day is the local date of each segment's start. -#}

with state_intervals as (

    select * from {{ ref('int_agents__state_intervals') }}

),

half_hours as (

    select * from {{ ref('int_workforce__half_hours') }}

),

overlapping as (

    select
        state_intervals.state_interval_id,
        state_intervals.agent_id,
        state_intervals.site,
        state_intervals.site_time_zone,
        state_intervals.state,
        state_intervals.state_class,
        state_intervals.is_closed_at_day_end,
        half_hours.interval_start_at,
        case
            when state_intervals.started_at > half_hours.interval_start_at then state_intervals.started_at
            else half_hours.interval_start_at
        end as started_at,
        case
            when state_intervals.ended_at < half_hours.interval_end_at then state_intervals.ended_at
            else half_hours.interval_end_at
        end as ended_at
    from state_intervals
    inner join half_hours
        on
            half_hours.interval_start_at < state_intervals.ended_at
            and half_hours.interval_end_at > state_intervals.started_at

),

final as (

    select
        {{ dbt.concat(['state_interval_id', "'|'", dbt.safe_cast('interval_start_at', dbt.type_string())]) }}
        as agent_state_id,
        state_interval_id,
        agent_id,
        site,
        site_time_zone,
        cast({{ utc_to_local('started_at', 'site_time_zone') }} as date) as date_day,
        interval_start_at,
        state,
        state_class,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as seconds,
        is_closed_at_day_end
    from overlapping

)

select * from final
