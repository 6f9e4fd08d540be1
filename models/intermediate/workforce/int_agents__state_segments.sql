{{ day_window_config('date_day') }}

{#- Agent state intervals cut at every 30-minute boundary (UTC half hours): one row per state interval and half
    hour it overlaps. Local midnight falls on a UTC half hour in every time zone whose
    offset is a whole number of half hours (all of the sample's), so the cut at half hours is also the cut at
    local midnight; date_day is the local date of each segment's start. -#}

with all_state_intervals as (

    select * from {{ ref('int_agents__state_intervals') }}

),

{# incremental by day window (macros/incremental/day_window.sql): a segment has its interval's local date #}
state_intervals as (

    select * from all_state_intervals
    where {{ in_day_window('date_day', agent_column='agent_id') }}

),

zone_half_hours as (

    select * from {{ ref('int_workforce__zone_half_hours') }}

),

overlapping as (

    {{ split_at_half_hours('state_intervals', [
        'state_interval_id', 'agent_id', 'site', 'site_time_zone', 'state', 'state_class', 'is_closed_at_day_end'
    ]) }}

),

{# date_day: the local date of the segment's half hour, looked up by (time zone, half hour). #}
localized as (

    select
        overlapping.*,
        zone_half_hours.local_date as date_day
    from overlapping
    left join zone_half_hours
        on
            overlapping.site_time_zone = zone_half_hours.time_zone
            and overlapping.interval_start_at = zone_half_hours.interval_start_at

),

final as (

    select
        {{ dbt.concat(['state_interval_id', "'|'", dbt.safe_cast('interval_start_at', dbt.type_string())]) }}
            as agent_state_id,
        state_interval_id,
        agent_id,
        site,
        site_time_zone,
        date_day,
        interval_start_at,
        state,
        state_class,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as seconds,
        is_closed_at_day_end
    from localized

)

select * from final
