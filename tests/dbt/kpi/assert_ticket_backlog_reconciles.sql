{#- The backlog's net flow adds up, per queue and channel and local day: the tickets open at the end of a day are
    those open at the end of the day before, plus created, minus solved, plus reopened, minus deleted (the day before
    has no row when nothing was open and nothing moved: 0; the day after a queue's last day is not judged). A row returned is a day that does not add up. -#}
with backlog as (

    select * from {{ ref('kpi_ticket_backlog_daily') }}

),

per_day as (

    select
        date_day,
        channel,
        coalesce(queue_id, '(none)') as queue_key,
        sum(open_tickets) as open_tickets,
        sum(created_tickets) as created_tickets,
        sum(solved_tickets) as solved_tickets,
        sum(reopened_tickets) as reopened_tickets,
        sum(deleted_tickets) as deleted_tickets
    from backlog
    group by
        date_day,
        channel,
        coalesce(queue_id, '(none)')

),

last_days as (

    select
        queue_key,
        channel,
        max(date_day) as last_day
    from per_day
    group by
        queue_key,
        channel

),

days as (

    select distinct
        date_day,
        queue_key,
        channel
    from per_day
    union
    select distinct
        cast({{ dbt.dateadd('day', 1, 'per_day.date_day') }} as date) as date_day,
        per_day.queue_key,
        per_day.channel
    from per_day
    inner join last_days
        on
            per_day.queue_key = last_days.queue_key
            and per_day.channel = last_days.channel
    where per_day.date_day < last_days.last_day

),

final as (

    select
        days.date_day,
        days.queue_key,
        days.channel,
        coalesce(yesterday.open_tickets, 0) as open_yesterday,
        coalesce(today.created_tickets, 0) as created_tickets,
        coalesce(today.solved_tickets, 0) as solved_tickets,
        coalesce(today.reopened_tickets, 0) as reopened_tickets,
        coalesce(today.deleted_tickets, 0) as deleted_tickets,
        coalesce(today.open_tickets, 0) as open_today
    from days
    left join per_day as today
        on
            days.date_day = today.date_day
            and days.queue_key = today.queue_key
            and days.channel = today.channel
    left join per_day as yesterday
        on
            days.date_day = cast({{ dbt.dateadd('day', 1, 'yesterday.date_day') }} as date)
            and days.queue_key = yesterday.queue_key
            and days.channel = yesterday.channel

)

select * from final
where
    open_today
    <> open_yesterday + created_tickets - solved_tickets + reopened_tickets - deleted_tickets
