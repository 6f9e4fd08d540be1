-- The status intervals of a ticket tile its history without gaps or overlaps: exactly one current interval,
-- and the finished intervals' seconds add up to the time from the first status change to the current one.
with intervals as (

    select * from {{ ref('int_tickets__status_timeline') }}

),

per_ticket as (

    select
        ticket_id,
        sum(case when is_current then 1 else 0 end) as current_intervals,
        sum(case when is_current then 0 else seconds end) as finished_seconds,
        min(started_at) as first_started_at,
        max(started_at) as last_started_at
    from intervals
    group by ticket_id

),

final as (

    select * from per_ticket
    where
        current_intervals <> 1
        or coalesce(finished_seconds, 0) <> {{ dbt.datediff('first_started_at', 'last_started_at', 'second') }}

)

select * from final
