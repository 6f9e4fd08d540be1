{#- One row per queue and local date of the calendar, open or not: the day's window (null when closed) and the
    business seconds the queue had been open since the calendar's first day, before this day. It is the index
    the business_seconds macro looks instants up in (position = seconds before the day + part of the day's
    window gone by). -#}
with dates as (

    select * from {{ ref('int_calendar__dates') }}

),

queues as (

    select * from {{ ref('queues') }}

),

windows as (

    select * from {{ ref('int_business_hours__windows') }}

),

queue_dates as (

    select
        queues.queue_id,
        dates.date_day
    from queues
    cross join dates

),

with_windows as (

    select
        queue_dates.queue_id,
        queue_dates.date_day,
        windows.opens_at,
        windows.closes_at,
        windows.queue_id is not null as is_open,
        coalesce(windows.open_seconds, 0) as open_seconds
    from queue_dates
    left join windows
        on
            queue_dates.queue_id = windows.queue_id
            and queue_dates.date_day = windows.date_day

),

final as (

    select
        queue_id,
        date_day,
        is_open,
        opens_at,
        closes_at,
        cast(open_seconds as {{ dbt.type_bigint() }}) as open_seconds,
        cast(coalesce(sum(open_seconds) over (
            partition by queue_id
            order by date_day
            rows between unbounded preceding and 1 preceding
        ), 0) as {{ dbt.type_bigint() }}) as business_seconds_before_day
    from with_windows

)

select * from final
