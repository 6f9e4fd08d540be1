{#- The interval mart's offered, answered, abandoned, short-abandoned, within-SL and handle-time figures of a
    queue's local day add up to the daily mart's row for that date and queue (contacts without a queue are in
    neither). Compared in both directions; any row returned fails. -#}
with intervals as (

    select * from {{ ref('kpi_service_interval') }}

),

daily as (

    select * from {{ ref('kpi_service_daily') }}

),

interval_days as (

    select
        date_day,
        queue_id,
        sum(offered) as offered,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(short_abandoned) as short_abandoned,
        sum(answered_within_sl) as answered_within_sl,
        sum(handled_with_handle_time) as handled_with_handle_time,
        coalesce(sum(sum_handle_seconds), 0) as sum_handle_seconds
    from intervals
    group by
        date_day,
        queue_id
    having sum(offered) > 0 or sum(answered) > 0

),

daily_queues as (

    select
        date_day,
        queue_id,
        offered,
        answered,
        abandoned,
        short_abandoned,
        answered_within_sl,
        handled_with_handle_time,
        coalesce(sum_handle_seconds, 0) as sum_handle_seconds
    from daily
    where
        queue_id is not null
        and offered > 0

),

compared as (

    select
        coalesce(interval_days.date_day, daily_queues.date_day) as date_day,
        coalesce(interval_days.queue_id, daily_queues.queue_id) as queue_id,
        interval_days.offered as interval_offered,
        daily_queues.offered as daily_offered,
        interval_days.answered as interval_answered,
        daily_queues.answered as daily_answered,
        interval_days.abandoned as interval_abandoned,
        daily_queues.abandoned as daily_abandoned,
        interval_days.short_abandoned as interval_short_abandoned,
        daily_queues.short_abandoned as daily_short_abandoned,
        interval_days.answered_within_sl as interval_answered_within_sl,
        daily_queues.answered_within_sl as daily_answered_within_sl,
        interval_days.handled_with_handle_time as interval_handled_with_handle_time,
        daily_queues.handled_with_handle_time as daily_handled_with_handle_time,
        interval_days.sum_handle_seconds as interval_sum_handle_seconds,
        daily_queues.sum_handle_seconds as daily_sum_handle_seconds
    from interval_days
    full outer join daily_queues
        on
            interval_days.date_day = daily_queues.date_day
            and interval_days.queue_id = daily_queues.queue_id

),

final as (

    select *
    from compared
    where
        interval_offered is null
        or daily_offered is null
        or interval_offered <> daily_offered
        or interval_answered <> daily_answered
        or interval_abandoned <> daily_abandoned
        or interval_short_abandoned <> daily_short_abandoned
        or interval_answered_within_sl <> daily_answered_within_sl
        or interval_handled_with_handle_time <> daily_handled_with_handle_time
        or abs(interval_sum_handle_seconds - daily_sum_handle_seconds) > 0.001

)

select * from final
