-- Cross-checks the business_seconds macro (running totals per queue day) against the direct definition: the sum,
-- over the queue's business-hours windows overlapping [start, end), of least(end, closes) - greatest(start, opens).
-- 2,000 intervals per queue with starts spread over the times of day (every 7 h 17 min from the calendar's second
-- day) and lengths from 0 to about 14 days (about 621 days in all, inside the calendar's two or more whole years)
-- cover nights, weekends, holidays and the DST changes of the data's years. Returns one row per interval where the
-- two disagree.
{% set interval_count = 2000 %}
{% set origin = "cast(" ~ dbt.dateadd('day', 1, 'bounds.calendar_start_date') ~ " as " ~ dbt.type_timestamp() ~ ")" %}

with numbers as (

    {{ dbt.generate_series(interval_count) }}

),

bounds as (

    select * from {{ ref('int_calendar__bounds') }}

),

queues as (

    select * from {{ ref('queues') }}

),

windows as (

    select * from {{ ref('int_business_hours__windows') }}

),

intervals as (

    select
        {{ dbt.concat(['queues.queue_id', "'-'", "cast(numbers.generated_number as " ~ dbt.type_string() ~ ")"]) }}
            as interval_key,
        queues.queue_id,
        {{ dbt.dateadd('minute', 'numbers.generated_number * 437', origin) }} as start_at,
        {{ dbt.dateadd(
            'minute', 'numbers.generated_number * 437 + mod(numbers.generated_number * 7919, 20000)', origin
        ) }} as end_at
    from numbers
    cross join queues
    cross join bounds

),

macro_results as (

    {{ business_seconds('intervals', 'interval_key', 'queue_id', 'start_at', 'end_at') }}

),

window_overlaps as (

    select
        intervals.interval_key,
        {{ dbt.datediff(
            'case when intervals.start_at > windows.opens_at then intervals.start_at else windows.opens_at end',
            'case when intervals.end_at < windows.closes_at then intervals.end_at else windows.closes_at end',
            'second'
        ) }} as overlap_seconds
    from intervals
    inner join windows
        on
            intervals.queue_id = windows.queue_id
            and intervals.end_at > windows.opens_at
            and intervals.start_at < windows.closes_at

),

overlap_totals as (

    select
        interval_key,
        sum(overlap_seconds) as business_seconds
    from window_overlaps
    group by interval_key

),

final as (

    select
        intervals.interval_key,
        intervals.start_at,
        intervals.end_at,
        macro_results.business_seconds as macro_business_seconds,
        coalesce(overlap_totals.business_seconds, 0) as overlap_business_seconds
    from intervals
    left join macro_results
        on intervals.interval_key = macro_results.interval_key
    left join overlap_totals
        on intervals.interval_key = overlap_totals.interval_key
    where
        macro_results.business_seconds is null
        or macro_results.business_seconds <> coalesce(overlap_totals.business_seconds, 0)

)

select * from final
