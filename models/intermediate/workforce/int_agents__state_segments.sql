{#- Agent state intervals cut at every 30-minute boundary (UTC half hours): one row per state interval and half
    hour it overlaps. Local midnight falls on a UTC half hour in every time zone whose
    offset is a whole number of half hours (all of the sample's), so the cut at half hours is also the cut at
    local midnight; date_day is the local date of each segment's start. -#}

with state_intervals as (

    select * from {{ ref('int_agents__state_intervals') }}

),

zone_half_hours as (

    select * from {{ ref('int_workforce__zone_half_hours') }}

),

bucketed as (

    select
        *,
        {{ interval_start('started_at', 30) }} as first_interval_start_at
    from state_intervals

),

{# Most intervals lie inside one half hour: they are their own segment, no join needed. #}
within_one_half_hour as (

    select
        state_interval_id,
        agent_id,
        site,
        site_time_zone,
        state,
        state_class,
        is_closed_at_day_end,
        first_interval_start_at as interval_start_at,
        started_at,
        ended_at
    from bucketed
    where ended_at <= {{ dbt.dateadd('minute', 30, 'first_interval_start_at') }}

),

{# The others are cut at every half hour they overlap: half hour k (0, 1, ...) after the first starts before the
    interval ends. An equality-free join on a small table of offsets, instead of an interval-overlap join of every
    interval with every half hour of the year. #}
half_hour_offsets as (

    {{ dbt.generate_series(var('max_half_hours_per_interval', 100)) }}

),

crossing as (

    select
        *,
        {{ seconds_between('first_interval_start_at', 'ended_at') }} as seconds_from_first_half_hour
    from bucketed
    where ended_at > {{ dbt.dateadd('minute', 30, 'first_interval_start_at') }}

),

crossing_half_hours as (

    select
        crossing.state_interval_id,
        crossing.agent_id,
        crossing.site,
        crossing.site_time_zone,
        crossing.state,
        crossing.state_class,
        crossing.is_closed_at_day_end,
        crossing.started_at as interval_started_at,
        crossing.ended_at as interval_ended_at,
        {{ dbt.dateadd(
            'minute', '30 * (half_hour_offsets.generated_number - 1)', 'crossing.first_interval_start_at'
        ) }} as interval_start_at
    from crossing
    inner join half_hour_offsets
        on (half_hour_offsets.generated_number - 1) * 1800 < crossing.seconds_from_first_half_hour

),

crossing_cut as (

    select
        state_interval_id,
        agent_id,
        site,
        site_time_zone,
        state,
        state_class,
        is_closed_at_day_end,
        interval_start_at,
        case
            when interval_started_at > interval_start_at then interval_started_at
            else interval_start_at
        end as started_at,
        case
            when interval_ended_at < {{ dbt.dateadd('minute', 30, 'interval_start_at') }} then interval_ended_at
            else {{ dbt.dateadd('minute', 30, 'interval_start_at') }}
        end as ended_at
    from crossing_half_hours

),

overlapping as (

    select * from within_one_half_hour
    union all
    select * from crossing_cut

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
