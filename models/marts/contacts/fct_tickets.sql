{#- One row per help-desk ticket (email, web_form) with the ticket measures help-desk analysts expect beside
    fct_contacts: resolutions, time in each status, comments, assignment stations, touches and age. Rules in
    _fct_tickets.yml. -#}
with tickets as (

    select * from {{ ref('int_tickets__kept') }}

),

metrics as (

    select * from {{ ref('int_tickets__metrics') }}

),

durations as (

    select * from {{ ref('int_tickets__status_durations') }}

),

assignments as (

    select * from {{ ref('int_tickets__assignments') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

{# Stations: a new one each time the assignee (or the group) differs from the period before. #}
assignment_changes as (

    select
        ticket_id,
        assignment_sequence,
        helpdesk_assignee_id,
        agent_id,
        started_at,
        case
            when
                helpdesk_assignee_id is not null
                and coalesce(
                    helpdesk_assignee_id <> lag(helpdesk_assignee_id) over (
                        partition by ticket_id order by assignment_sequence
                    ),
                    true
                )
                then 1
            else 0
        end as is_new_assignee_station,
        case
            when
                group_id is not null
                and coalesce(
                    group_id <> lag(group_id) over (partition by ticket_id order by assignment_sequence), true
                )
                then 1
            else 0
        end as is_new_group_station
    from assignments

),

assignment_order as (

    select
        *,
        row_number() over (
            partition by ticket_id
            order by case when helpdesk_assignee_id is null then 1 else 0 end, assignment_sequence
        ) as first_rank,
        row_number() over (
            partition by ticket_id
            order by case when helpdesk_assignee_id is null then 1 else 0 end, assignment_sequence desc
        ) as last_rank
    from assignment_changes

),

assignment_summary as (

    select
        ticket_id,
        sum(is_new_assignee_station) as assignee_stations,
        sum(is_new_group_station) as group_stations,
        count(distinct helpdesk_assignee_id) as unique_assignees,
        max(case when first_rank = 1 and helpdesk_assignee_id is not null then agent_id end) as first_assignee_agent_id,
        max(case when last_rank = 1 and helpdesk_assignee_id is not null then agent_id end) as last_assignee_agent_id,
        min(case when helpdesk_assignee_id is not null then started_at end) as first_assigned_at,
        max(case when is_new_assignee_station = 1 then started_at end) as last_assigned_at
    from assignment_order
    group by ticket_id

),

joined as (

    select
        tickets.ticket_id,
        tickets.channel,
        tickets.queue_id,
        tickets.status,
        tickets.priority,
        tickets.ticket_type,
        tickets.via_channel,
        tickets.created_at,
        tickets.updated_at,
        coalesce(queues.time_zone, '{{ var("contacts_default_time_zone", "Asia/Shanghai") }}') as time_zone,
        metrics.first_response_at,
        metrics.first_solved_at,
        metrics.solved_at,
        metrics.last_comment_at,
        metrics.solves,
        metrics.reopen_count,
        metrics.agent_replies,
        metrics.total_comments,
        metrics.public_comments,
        metrics.internal_notes,
        metrics.agent_comments,
        metrics.end_user_comments,
        metrics.is_solved,
        metrics.is_one_touch,
        metrics.is_two_touch,
        metrics.is_multi_touch,
        durations.new_seconds,
        durations.new_business_seconds,
        durations.open_seconds,
        durations.open_business_seconds,
        durations.pending_seconds,
        durations.pending_business_seconds,
        durations.hold_seconds,
        durations.hold_business_seconds,
        durations.requester_wait_seconds,
        durations.requester_wait_business_seconds,
        durations.as_of_at,
        assignment_summary.first_assignee_agent_id,
        assignment_summary.last_assignee_agent_id,
        assignment_summary.first_assigned_at,
        assignment_summary.last_assigned_at,
        coalesce(assignment_summary.assignee_stations, 0) as assignee_stations,
        coalesce(assignment_summary.group_stations, 0) as group_stations,
        coalesce(assignment_summary.unique_assignees, 0) as unique_assignees
    from tickets
    inner join metrics
        on tickets.ticket_id = metrics.ticket_id
    left join durations
        on tickets.ticket_id = durations.ticket_id
    left join assignment_summary
        on tickets.ticket_id = assignment_summary.ticket_id
    left join queues
        on tickets.queue_id = queues.queue_id

),

final as (

    select
        {{ dbt.concat(["'helpdesk:'", 'ticket_id']) }} as contact_id,
        ticket_id,
        channel,
        queue_id,
        status,
        priority,
        ticket_type,
        via_channel,
        created_at,
        cast({{ utc_to_local('created_at', 'time_zone') }} as date) as created_date_local,
        updated_at,
        first_response_at,
        first_solved_at,
        solved_at as last_solved_at,
        last_comment_at,
        first_assigned_at,
        last_assigned_at,
        cast({{ dbt.datediff('created_at', 'first_solved_at', 'second') }} as {{ dbt.type_bigint() }})
            as first_resolution_seconds,
        cast({{ dbt.datediff('created_at', 'solved_at', 'second') }} as {{ dbt.type_bigint() }})
            as full_resolution_seconds,
        cast(solves as {{ dbt.type_bigint() }}) as solves,
        cast(reopen_count as {{ dbt.type_bigint() }}) as reopen_count,
        cast(new_seconds as {{ dbt.type_bigint() }}) as new_seconds,
        cast(new_business_seconds as {{ dbt.type_bigint() }}) as new_business_seconds,
        cast(open_seconds as {{ dbt.type_bigint() }}) as open_seconds,
        cast(open_business_seconds as {{ dbt.type_bigint() }}) as open_business_seconds,
        cast(pending_seconds as {{ dbt.type_bigint() }}) as agent_wait_seconds,
        cast(pending_business_seconds as {{ dbt.type_bigint() }}) as agent_wait_business_seconds,
        cast(hold_seconds as {{ dbt.type_bigint() }}) as on_hold_seconds,
        cast(hold_business_seconds as {{ dbt.type_bigint() }}) as on_hold_business_seconds,
        cast(requester_wait_seconds as {{ dbt.type_bigint() }}) as requester_wait_seconds,
        cast(requester_wait_business_seconds as {{ dbt.type_bigint() }}) as requester_wait_business_seconds,
        cast(agent_replies as {{ dbt.type_bigint() }}) as agent_replies,
        cast(total_comments as {{ dbt.type_bigint() }}) as total_comments,
        cast(public_comments as {{ dbt.type_bigint() }}) as public_comments,
        cast(internal_notes as {{ dbt.type_bigint() }}) as internal_comments,
        cast(agent_comments as {{ dbt.type_bigint() }}) as agent_comments,
        cast(end_user_comments as {{ dbt.type_bigint() }}) as end_user_comments,
        first_assignee_agent_id,
        last_assignee_agent_id,
        cast(assignee_stations as {{ dbt.type_bigint() }}) as assignee_stations,
        cast(group_stations as {{ dbt.type_bigint() }}) as group_stations,
        cast(unique_assignees as {{ dbt.type_bigint() }}) as unique_assignees,
        cast(
            {{ dbt.datediff('created_at', 'coalesce(first_assigned_at, as_of_at)', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as unassigned_seconds,
        cast({{ dbt.datediff('first_assigned_at', 'solved_at', 'second') }} as {{ dbt.type_bigint() }})
            as first_assignment_to_resolution_seconds,
        cast({{ dbt.datediff('last_assigned_at', 'solved_at', 'second') }} as {{ dbt.type_bigint() }})
            as last_assignment_to_resolution_seconds,
        cast(
            case when not is_solved then {{ dbt.datediff('created_at', 'as_of_at', 'second') }} end
            as {{ dbt.type_bigint() }}
        ) as unsolved_age_seconds,
        cast({{ dbt.datediff('updated_at', 'as_of_at', 'second') }} as {{ dbt.type_bigint() }})
            as seconds_since_last_update,
        is_solved,
        is_one_touch,
        is_two_touch,
        is_multi_touch,
        as_of_at
    from joined

)

select * from final
