{#- One row per queue and local date on which the queue is open: the weekday has hours in the queue's schedule
    (seeds/business_hours.csv) and the date is not a holiday at the queue's site (seeds/holidays.csv).
    opens_at / closes_at are UTC, converted from the local wall times in the queue's time zone, so a window
    after a DST change moves by the hour in UTC. A window lies within its local date (close_time > open_time,
    tested on the seed); open_seconds is the elapsed time in UTC. -#}
with dates as (

    select * from {{ ref('int_calendar__dates') }}

),

queues as (

    select * from {{ ref('queues') }}

),

business_hours as (

    select * from {{ ref('business_hours') }}

),

holidays as (

    select * from {{ ref('int_calendar__site_holidays') }}

),

queue_dates as (

    select
        queues.queue_id,
        queues.site,
        queues.time_zone,
        queues.business_hours_schedule,
        dates.date_day,
        dates.iso_weekday
    from queues
    cross join dates

),

scheduled_days as (

    select
        queue_dates.queue_id,
        queue_dates.site,
        queue_dates.time_zone,
        queue_dates.business_hours_schedule,
        queue_dates.date_day,
        business_hours.open_time,
        business_hours.close_time
    from queue_dates
    inner join business_hours
        on
            queue_dates.business_hours_schedule = business_hours.schedule
            and queue_dates.iso_weekday = business_hours.iso_weekday

),

working_days as (

    select scheduled_days.*
    from scheduled_days
    left join holidays
        on
            scheduled_days.site = holidays.site
            and scheduled_days.date_day = holidays.holiday_date
    where holidays.holiday_date is null

),

local_windows as (

    select
        queue_id,
        date_day,
        site,
        time_zone,
        business_hours_schedule,
        cast(
            {{ dbt.concat(["cast(date_day as " ~ dbt.type_string() ~ ")", "' '", 'open_time']) }}
            as {{ dbt.type_timestamp() }}
        ) as opens_at_local,
        cast(
            {{ dbt.concat(["cast(date_day as " ~ dbt.type_string() ~ ")", "' '", 'close_time']) }}
            as {{ dbt.type_timestamp() }}
        ) as closes_at_local
    from working_days

),

utc_windows as (

    select
        queue_id,
        date_day,
        site,
        time_zone,
        business_hours_schedule,
        opens_at_local,
        closes_at_local,
        {{ local_to_utc('opens_at_local', 'time_zone') }} as opens_at,
        {{ local_to_utc('closes_at_local', 'time_zone') }} as closes_at
    from local_windows

),

final as (

    select
        queue_id,
        date_day,
        site,
        time_zone,
        business_hours_schedule,
        opens_at_local,
        closes_at_local,
        opens_at,
        closes_at,
        cast(
            {{ dbt.datediff('opens_at', 'closes_at', 'second') }} as {{ dbt.type_bigint() }}
        ) as open_seconds
    from utc_windows

)

select * from final
