{#- One row per status interval of a ticket, from the status changes of the field history. Consecutive
    changes to the same status are one interval (re-setting "open" on an open ticket does not split it). Statuses
    are canonical (macro canonical_ticket_status: on-hold is hold, a value outside the mapping is other). -#}
{%- set status_order = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted', 'other'] -%}

with field_history as (

    select * from {{ ref('stg_helpdesk__ticket_field_history') }}

),

tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

status_changes as (

    select
        field_history.ticket_id,
        field_history.changed_at,
        field_history.changed_by_user_id,
        field_history.field_change_id,
        {{ canonical_ticket_status('field_history.new_value') }} as status
    from field_history
    inner join tickets
        on field_history.ticket_id = tickets.ticket_id
    where
        field_history.field_name = 'status'
        and field_history.changed_at is not null
        and field_history.new_value is not null

),

ordered_changes as (

    select
        *,
        row_number() over (
            partition by ticket_id
            order by
                changed_at,
                case status
                    {%- for status in status_order %}
                        when '{{ status }}' then {{ loop.index }}
                    {%- endfor %}
                    else {{ status_order | length + 1 }}
                end,
                field_change_id
        ) as change_order
    from status_changes

),

with_previous as (

    select
        *,
        lag(status) over (partition by ticket_id order by change_order) as previous_change_status
    from ordered_changes

),

interval_starts as (

    select
        ticket_id,
        status,
        previous_change_status as previous_status,
        changed_at as started_at,
        changed_by_user_id as started_by_user_id,
        change_order
    from with_previous
    where previous_change_status is null or previous_change_status <> status

),

sequenced as (

    select
        *,
        row_number() over (partition by ticket_id order by change_order) as status_sequence,
        lead(started_at) over (partition by ticket_id order by change_order) as ended_at
    from interval_starts

),

final as (

    select
        {{ dbt.concat(['ticket_id', "':'", dbt.safe_cast('status_sequence', dbt.type_string())]) }}
            as status_interval_id,
        ticket_id,
        status_sequence,
        status,
        previous_status,
        started_at,
        ended_at,
        cast({{ dbt.datediff('started_at', 'ended_at', 'second') }} as {{ dbt.type_bigint() }}) as seconds,
        ended_at is null as is_current,
        status in ('new', 'open') as is_agent_work_status,
        coalesce(previous_status = 'solved' and status not in ('solved', 'closed'), false) as is_reopen,
        started_by_user_id
    from sequenced

)

select * from final
