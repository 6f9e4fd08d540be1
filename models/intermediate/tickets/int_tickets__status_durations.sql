{#- One row per ticket with a status history: calendar and business seconds spent in each unsolved status (new,
    open, pending = agent wait, hold) and requester wait (new + open + hold). Rules in
    _int_tickets__status_durations.yml. -#}
{%- set unsolved = ['new', 'open', 'pending', 'hold'] -%}

with status_timeline as (

    select * from {{ ref('int_tickets__status_timeline') }}

),

tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

as_of as (

    select {{ tickets_as_of_at('status_timeline') }} as as_of_at

),

{# Unsolved intervals; the one still running counts up to the as-of time. #}
unsolved_intervals as (

    select
        status_timeline.status_interval_id,
        status_timeline.ticket_id,
        status_timeline.status,
        tickets.queue_id,
        status_timeline.started_at,
        coalesce(status_timeline.ended_at, as_of.as_of_at) as measured_end_at
    from status_timeline
    cross join as_of
    inner join tickets
        on status_timeline.ticket_id = tickets.ticket_id
    where
        status_timeline.status in (
            '{{ unsolved | join("', '") }}'
        )

),

business as (

    {{ business_seconds(
        'unsolved_intervals', 'status_interval_id', 'queue_id', 'started_at', 'measured_end_at'
    ) }}

),

measured as (

    select
        unsolved_intervals.ticket_id,
        unsolved_intervals.status,
        business.business_seconds,
        {{ dbt.datediff('unsolved_intervals.started_at', 'unsolved_intervals.measured_end_at', 'second') }}
            as calendar_seconds
    from unsolved_intervals
    left join business
        on unsolved_intervals.status_interval_id = business.status_interval_id

),

{# Business seconds of a status are known only when every interval of it could be measured (never a silent 0). #}
per_ticket as (

    select
        ticket_id,
        {%- for status in unsolved %}
            sum(case when status = '{{ status }}' then calendar_seconds else 0 end) as {{ status }}_seconds,
            case
                when
                    count(case when status = '{{ status }}' then 1 end)
                    = count(case when status = '{{ status }}' then business_seconds end)
                    then sum(case when status = '{{ status }}' then business_seconds else 0 end)
            end as {{ status }}_business_seconds{% if not loop.last %},{% endif %}
        {%- endfor %}
    from measured
    group by ticket_id

),

ticket_ids as (

    select distinct ticket_id
    from status_timeline

),

final as (

    select
        ticket_ids.ticket_id,
        {%- for status in unsolved %}
            cast(coalesce(per_ticket.{{ status }}_seconds, 0) as {{ dbt.type_bigint() }}) as {{ status }}_seconds,
            cast(
                case when per_ticket.ticket_id is null then 0 else per_ticket.{{ status }}_business_seconds end
                as {{ dbt.type_bigint() }}
            ) as {{ status }}_business_seconds,
        {%- endfor %}
        cast(
            coalesce(per_ticket.new_seconds + per_ticket.open_seconds + per_ticket.hold_seconds, 0)
            as {{ dbt.type_bigint() }}
        ) as requester_wait_seconds,
        cast(
            case
                when per_ticket.ticket_id is null then 0
                else
                    per_ticket.new_business_seconds + per_ticket.open_business_seconds
                    + per_ticket.hold_business_seconds
            end as {{ dbt.type_bigint() }}
        ) as requester_wait_business_seconds,
        as_of.as_of_at
    from ticket_ids
    cross join as_of
    left join per_ticket
        on ticket_ids.ticket_id = per_ticket.ticket_id

)

select * from final
