{#- Every UTC half hour of the workforce spine read in every site time zone: its local wall times, its local date
    and the UTC instant that local day ends. Time-zone conversions are slow row by row (ICU on DuckDB); the agent
    state models look them up here with an equality join on (time zone, half hour) instead of converting each of
    their tens of millions of rows. Exact because clocks change on a UTC half hour in every zone whose offset is a
    whole number of half hours (the same assumption as the 30-minute cut itself). -#}

with half_hours as (

    select * from {{ ref('int_workforce__half_hours') }}

),

site_history as (

    select * from {{ ref('int_agents__site_history') }}

),

time_zones as (

    select distinct site_time_zone as time_zone
    from site_history
    where site_time_zone is not null

),

zoned as (

    select
        time_zones.time_zone,
        half_hours.interval_start_at,
        half_hours.interval_end_at,
        {{ utc_to_local('half_hours.interval_start_at', 'time_zones.time_zone') }} as local_interval_start_at,
        {{ utc_to_local('half_hours.interval_end_at', 'time_zones.time_zone') }} as local_interval_end_at
    from half_hours
    cross join time_zones

),

dated as (

    select
        *,
        cast(local_interval_start_at as date) as local_date
    from zoned

),

final as (

    select
        time_zone,
        interval_start_at,
        interval_end_at,
        local_interval_start_at,
        local_interval_end_at,
        local_date,
        {{ local_to_utc(
            'cast(' ~ dbt.dateadd('day', 1, 'local_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')', 'time_zone'
        ) }} as local_day_ends_at
    from dated

)

select * from final
