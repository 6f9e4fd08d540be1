{#- One row per assignment period of a ticket: a span during which both its assignee and its group stay the
    same, from the assignee_id and group_id changes of the field history. Carries each field forward from its
    last change (running count of changes = the field's "version", then the version's value). -#}
with field_history as (

    select * from {{ ref('stg_helpdesk__ticket_field_history') }}

),

tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

helpdesk_agents as (

    select * from {{ ref('int_agents__helpdesk_users') }}

),

queues as (

    select * from {{ ref('queues') }}

),

field_changes as (

    select
        field_history.ticket_id,
        field_history.field_name,
        field_history.new_value,
        field_history.changed_at,
        row_number() over (
            partition by field_history.ticket_id, field_history.field_name, field_history.changed_at
            order by field_history.field_change_id desc
        ) as rank_at_instant
    from field_history
    inner join tickets
        on field_history.ticket_id = tickets.ticket_id
    where
        field_history.field_name in ('assignee_id', 'group_id')
        and field_history.changed_at is not null

),

last_change_at_instant as (

    select * from field_changes
    where rank_at_instant = 1

),

change_points as (

    select
        ticket_id,
        changed_at,
        max(case when field_name = 'assignee_id' then 1 else 0 end) as has_assignee_change,
        max(case when field_name = 'assignee_id' then new_value end) as changed_assignee_id,
        max(case when field_name = 'group_id' then 1 else 0 end) as has_group_change,
        max(case when field_name = 'group_id' then new_value end) as changed_group_id
    from last_change_at_instant
    group by
        ticket_id,
        changed_at

),

field_versions as (

    select
        *,
        sum(has_assignee_change) over (
            partition by ticket_id order by changed_at rows between unbounded preceding and current row
        ) as assignee_version,
        sum(has_group_change) over (
            partition by ticket_id order by changed_at rows between unbounded preceding and current row
        ) as group_version
    from change_points

),

carried_forward as (

    select
        ticket_id,
        changed_at,
        max(changed_assignee_id) over (partition by ticket_id, assignee_version) as helpdesk_assignee_id,
        max(changed_group_id) over (partition by ticket_id, group_version) as group_id
    from field_versions

),

with_previous as (

    select
        *,
        lag(helpdesk_assignee_id) over (partition by ticket_id order by changed_at) as previous_assignee_id,
        lag(group_id) over (partition by ticket_id order by changed_at) as previous_group_id,
        row_number() over (partition by ticket_id order by changed_at) as point_order
    from carried_forward

),

period_starts as (

    select
        ticket_id,
        changed_at as started_at,
        helpdesk_assignee_id,
        group_id
    from with_previous
    where
        point_order = 1
        or coalesce(helpdesk_assignee_id, '') <> coalesce(previous_assignee_id, '')
        or coalesce(group_id, '') <> coalesce(previous_group_id, '')

),

periods as (

    select
        *,
        row_number() over (partition by ticket_id order by started_at) as assignment_sequence,
        lead(started_at) over (partition by ticket_id order by started_at) as ended_at
    from period_starts

),

assigned_periods as (

    select
        ticket_id,
        assignment_sequence,
        helpdesk_assignee_id,
        lag(helpdesk_assignee_id) over (partition by ticket_id order by assignment_sequence) as previous_agent_user_id
    from periods
    where helpdesk_assignee_id is not null

),

reassignments as (

    select
        ticket_id,
        assignment_sequence
    from assigned_periods
    where previous_agent_user_id is not null and previous_agent_user_id <> helpdesk_assignee_id

),

grouped_periods as (

    select
        ticket_id,
        assignment_sequence,
        group_id,
        lag(group_id) over (partition by ticket_id order by assignment_sequence) as previous_group_id
    from periods
    where group_id is not null

),

group_transfers as (

    select
        ticket_id,
        assignment_sequence
    from grouped_periods
    where previous_group_id is not null and previous_group_id <> group_id

),

helpdesk_queues as (

    select
        queue_id,
        source_queue_ref
    from queues
    where source_system = 'helpdesk'

),

final as (

    select
        {{ dbt.concat(['periods.ticket_id', "':'", dbt.safe_cast('periods.assignment_sequence', dbt.type_string())]) }}
            as assignment_id,
        periods.ticket_id,
        periods.assignment_sequence,
        periods.helpdesk_assignee_id,
        helpdesk_agents.agent_id,
        periods.group_id,
        helpdesk_queues.queue_id,
        periods.started_at,
        periods.ended_at,
        cast({{ dbt.datediff('periods.started_at', 'periods.ended_at', 'second') }} as {{ dbt.type_bigint() }})
            as seconds,
        periods.ended_at is null as is_current,
        periods.helpdesk_assignee_id is not null as is_assigned,
        reassignments.ticket_id is not null as is_reassignment,
        group_transfers.ticket_id is not null as is_group_transfer,
        reassignments.ticket_id is not null or group_transfers.ticket_id is not null as is_transfer
    from periods
    left join reassignments
        on
            periods.ticket_id = reassignments.ticket_id
            and periods.assignment_sequence = reassignments.assignment_sequence
    left join group_transfers
        on
            periods.ticket_id = group_transfers.ticket_id
            and periods.assignment_sequence = group_transfers.assignment_sequence
    left join helpdesk_agents
        on periods.helpdesk_assignee_id = helpdesk_agents.helpdesk_user_id
    left join helpdesk_queues
        on periods.group_id = helpdesk_queues.source_queue_ref

)

select * from final
