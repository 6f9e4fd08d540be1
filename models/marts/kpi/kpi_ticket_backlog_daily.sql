{#- Help-desk backlog per local day: tickets open at the end of the day by status x queue (group) x priority x age
    band, with the day's flows (created, solved, reopened, deleted). Rules in _kpi_ticket_backlog_daily.yml. -#}
{%- set default_zone = "'" ~ var('contacts_default_time_zone', 'Asia/Shanghai') ~ "'" -%}

with backlog_days as (

    select * from {{ ref('int_tickets__backlog_days') }}

),

tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

ticket_days as (

    select
        backlog_days.*,
        tickets.queue_id,
        tickets.channel,
        coalesce(tickets.priority, 'none') as priority,
        cast({{ utc_to_local('tickets.created_at', 'coalesce(queues.time_zone, ' ~ default_zone ~ ')') }} as date)
            as created_date
    from backlog_days
    inner join tickets
        on backlog_days.ticket_id = tickets.ticket_id
    left join queues
        on tickets.queue_id = queues.queue_id

),

aged as (

    select
        *,
        {{ dbt.datediff('created_date', 'date_day', 'day') }} as age_days
    from ticket_days

),

banded as (

    select
        *,
        case
            when age_days < 1 then '0: under 1 day'
            when age_days < 3 then '1: 1-2 days'
            when age_days < 7 then '2: 3-6 days'
            when age_days < 30 then '3: 7-29 days'
            else '4: 30 days or more'
        end as age_band
    from aged

),

final as (

    select
        date_day,
        queue_id,
        channel,
        end_status as status,
        priority,
        age_band,
        cast(sum(case when is_open_at_end then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_tickets,
        cast(sum(created) as {{ dbt.type_bigint() }}) as created_tickets,
        cast(sum(solved) as {{ dbt.type_bigint() }}) as solved_tickets,
        cast(sum(reopened) as {{ dbt.type_bigint() }}) as reopened_tickets,
        cast(sum(deleted) as {{ dbt.type_bigint() }}) as deleted_tickets
    from banded
    group by
        date_day,
        queue_id,
        channel,
        end_status,
        priority,
        age_band

)

select * from final
