{#- The canonical contact columns (shared with int_contacts__calls and int_contacts__chats) for help-desk tickets:
    one contact per ticket, channel email or web_form. -#}
with tickets as (

    select * from {{ ref('int_tickets__kept') }}

),

metrics as (

    select * from {{ ref('int_tickets__metrics') }}

),

assignments as (

    select * from {{ ref('int_tickets__assignments') }}

),

helpdesk_agents as (

    select * from {{ ref('int_agents__helpdesk_users') }}

),

transfer_counts as (

    select
        ticket_id,
        sum(case when is_transfer then 1 else 0 end) as transfer_count
    from assignments
    group by ticket_id

),

solve_assignments as (

    select
        metrics.ticket_id,
        assignments.helpdesk_assignee_id as solved_by_assignee_id
    from metrics
    inner join assignments
        on
            metrics.ticket_id = assignments.ticket_id
            and metrics.solved_at >= assignments.started_at
            and (assignments.ended_at is null or metrics.solved_at < assignments.ended_at)
    where metrics.solved_at is not null

),

current_assignments as (

    select
        ticket_id,
        helpdesk_assignee_id,
        started_at
    from assignments
    where ended_at is null

),

handling_users as (

    {# the assignee at the final solve; else the current assignee by the newer of the two records: the ticket's
        own version (updated_at) or the assignment history (its current period's start). A ticket file missing or
        refused for a day leaves an older version of the ticket (often still unassigned) while that day's field
        history already assigns it: the newer record wins, so an answered ticket keeps its agent. #}
    select
        tickets.ticket_id,
        coalesce(
            solve_assignments.solved_by_assignee_id,
            case
                when current_assignments.started_at > tickets.updated_at then current_assignments.helpdesk_assignee_id
                else tickets.assignee_id
            end
        ) as handling_user_id
    from tickets
    left join solve_assignments
        on tickets.ticket_id = solve_assignments.ticket_id
    left join current_assignments
        on tickets.ticket_id = current_assignments.ticket_id

),

joined as (

    select
        tickets.*,
        metrics.first_response_at,
        metrics.solved_at,
        metrics.agent_work_seconds,
        metrics.is_handled,
        metrics.is_solved,
        metrics.reopen_count,
        metrics.agent_replies,
        helpdesk_agents.agent_id,
        coalesce(transfer_counts.transfer_count, 0) as transfer_count
    from tickets
    inner join metrics
        on tickets.ticket_id = metrics.ticket_id
    left join transfer_counts
        on tickets.ticket_id = transfer_counts.ticket_id
    left join handling_users
        on tickets.ticket_id = handling_users.ticket_id
    left join helpdesk_agents
        on handling_users.handling_user_id = helpdesk_agents.helpdesk_user_id

),

final as (

    select
        cast({{ dbt.concat(["'helpdesk:'", 'ticket_id']) }} as {{ dbt.type_string() }}) as contact_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast('helpdesk' as {{ dbt.type_string() }}) as source_system,
        cast(ticket_id as {{ dbt.type_string() }}) as source_contact_id,
        cast(ticket_id as {{ dbt.type_string() }}) as source_ids,
        cast(queue_id as {{ dbt.type_string() }}) as queue_id,
        cast(issue_type as {{ dbt.type_string() }}) as issue_type,
        cast(priority as {{ dbt.type_string() }}) as priority,
        cast(requester_customer_id as {{ dbt.type_string() }}) as customer_ref_id,
        cast(requester_phone_hash as {{ dbt.type_string() }}) as customer_phone_hash,
        cast(requester_email_hash as {{ dbt.type_string() }}) as customer_email_hash,
        cast(requester_id as {{ dbt.type_string() }}) as helpdesk_user_id,
        cast(null as {{ dbt.type_string() }}) as chat_customer_id,
        cast(agent_id as {{ dbt.type_string() }}) as agent_id,
        cast(created_at as {{ dbt.type_timestamp() }}) as arrived_at,
        cast(created_at as {{ dbt.type_timestamp() }}) as enqueued_at,
        cast(first_response_at as {{ dbt.type_timestamp() }}) as answered_at,
        cast(first_response_at as {{ dbt.type_timestamp() }}) as first_response_at,
        cast(solved_at as {{ dbt.type_timestamp() }}) as resolved_at,
        cast(solved_at as {{ dbt.type_timestamp() }}) as ended_at,
        {{ elapsed_seconds('created_at', 'first_response_at') }} as wait_seconds,
        cast(null as {{ type_double() }}) as talk_seconds,
        cast(null as {{ type_double() }}) as hold_seconds,
        cast(null as {{ type_double() }}) as acw_seconds,
        cast(agent_work_seconds as {{ type_double() }}) as handle_seconds,
        true as is_offered,
        false as is_ivr_contained,
        is_handled as is_answered,
        false as is_abandoned,
        false as is_callback,
        cast(transfer_count as {{ dbt.type_bigint() }}) as transfer_count,
        is_solved as is_resolved,
        cast(reopen_count as {{ dbt.type_bigint() }}) as reopen_count,
        cast(agent_replies as {{ dbt.type_bigint() }}) as agent_replies,
        cast(null as {{ dbt.type_string() }}) as entry_page,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as device,
        cast(null as {{ dbt.type_string() }}) as referrer,
        {#- a ticket's group (queue) dates it; an unmapped group falls back to the assignee's site -#}
        cast(null as {{ dbt.type_string() }}) as entry_time_zone
    from joined

)

select * from final
