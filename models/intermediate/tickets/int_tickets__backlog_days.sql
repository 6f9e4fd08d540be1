{#- One row per ticket x local date on which the ticket was open at the end of the day or changed between open
    and not open (created, solved, reopened, deleted): the ticket-days kpi_ticket_backlog_daily counts. Rules in
    _int_tickets__backlog_days.yml. -#}
{%- set open_statuses = "('new', 'open', 'pending', 'hold')" -%}

with status_timeline as (

    select * from {{ ref('int_tickets__status_timeline') }}

),

tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

queues as (

    select * from {{ ref('queues') }}

),

calendar as (

    select * from {{ ref('int_calendar__dates') }}

),

ticket_zones as (

    select
        tickets.ticket_id,
        coalesce(queues.time_zone, '{{ var("contacts_default_time_zone", "Asia/Shanghai") }}') as time_zone
    from tickets
    left join queues
        on tickets.queue_id = queues.queue_id

),

{# Each status interval with its local start and end dates, whether it is open, and what the interval before it was. #}
intervals as (

    select
        status_timeline.ticket_id,
        status_timeline.status_sequence,
        status_timeline.status,
        status_timeline.started_at,
        status_timeline.ended_at,
        status_timeline.status in {{ open_statuses }} as is_open,
        lag(status_timeline.status in {{ open_statuses }}) over (
            partition by status_timeline.ticket_id
            order by status_timeline.status_sequence
        ) as was_open,
        cast({{ utc_to_local('status_timeline.started_at', 'ticket_zones.time_zone') }} as date) as started_date,
        cast({{ utc_to_local('status_timeline.ended_at', 'ticket_zones.time_zone') }} as date) as ended_date,
        ticket_zones.time_zone
    from status_timeline
    inner join ticket_zones
        on status_timeline.ticket_id = ticket_zones.ticket_id

),

as_of as (

    select {{ tickets_as_of_at('status_timeline') }} as as_of_at

),

{# Open at the end of local day d: the interval started on or before d and ends on d + 1 or later (still open:
    until the as-of day). An interval is spread over its days by their offset from its start (or from the
    calendar's first day, if it started earlier): one inequality, which DuckDB joins in the order of the output.
    With the two bounds of a join to the calendar DuckDB paired every open interval with every later day and
    filtered: 677 M pairs for 0.6 M ticket-days at 1/5 of the scale preset, growing with the square of the history. #}
calendar_start as (

    select min(date_day) as first_date
    from calendar

),

day_offsets as (

    select {{ dbt.datediff('calendar_start.first_date', 'calendar.date_day', 'day') }} as day_offset
    from calendar
    cross join calendar_start

),

open_intervals as (

    select
        intervals.ticket_id,
        intervals.status,
        greatest(intervals.started_date, calendar_start.first_date) as spread_start_date,
        coalesce(
            intervals.ended_date,
            cast({{ dbt.dateadd('day', 1, 'cast(' ~ utc_to_local('as_of.as_of_at', 'intervals.time_zone')
                ~ ' as date)') }} as date)
        ) as open_until_date
    from intervals
    cross join as_of
    cross join calendar_start
    where intervals.is_open

),

open_days as (

    select
        open_intervals.ticket_id,
        calendar.date_day,
        open_intervals.status as end_status,
        1 as is_open_at_end
    from open_intervals
    inner join day_offsets
        on
            day_offsets.day_offset
            < {{ dbt.datediff('open_intervals.spread_start_date', 'open_intervals.open_until_date', 'day') }}
    inner join calendar
        on calendar.date_day = cast(
            {{ dbt.dateadd('day', 'day_offsets.day_offset', 'open_intervals.spread_start_date') }} as date
        )

),

{# Changes across the open / not-open line, on the local day the new interval started. A ticket's first interval
    is its creation; one that starts not open (created solved) is also a solve, so the flows add up. #}
flows as (

    select
        ticket_id,
        status,
        started_date as date_day,
        case when status_sequence = 1 then 1 else 0 end as created,
        case
            when
                not is_open and status <> 'deleted'
                and (status_sequence = 1 or was_open)
                then 1
            else 0
        end as solved,
        case when is_open and status_sequence > 1 and not was_open then 1 else 0 end as reopened,
        case when status = 'deleted' and (status_sequence = 1 or was_open) then 1 else 0 end as deleted,
        row_number() over (
            partition by ticket_id, started_date
            order by status_sequence desc
        ) as last_of_day
    from intervals

),

flow_days as (

    select
        ticket_id,
        date_day,
        sum(created) as created,
        sum(solved) as solved,
        sum(reopened) as reopened,
        sum(deleted) as deleted,
        max(case when last_of_day = 1 then status end) as last_status
    from flows
    group by
        ticket_id,
        date_day

),

final as (

    select
        coalesce(open_days.ticket_id, flow_days.ticket_id) as ticket_id,
        coalesce(open_days.date_day, flow_days.date_day) as date_day,
        coalesce(open_days.end_status, flow_days.last_status) as end_status,
        coalesce(open_days.is_open_at_end, 0) = 1 as is_open_at_end,
        cast(coalesce(flow_days.created, 0) as {{ dbt.type_int() }}) as created,
        cast(coalesce(flow_days.solved, 0) as {{ dbt.type_int() }}) as solved,
        cast(coalesce(flow_days.reopened, 0) as {{ dbt.type_int() }}) as reopened,
        cast(coalesce(flow_days.deleted, 0) as {{ dbt.type_int() }}) as deleted
    from open_days
    full outer join flow_days
        on
            open_days.ticket_id = flow_days.ticket_id
            and open_days.date_day = flow_days.date_day
    where
        open_days.ticket_id is not null
        or flow_days.created + flow_days.solved + flow_days.reopened + flow_days.deleted > 0

)

select * from final
