{#- One row per ticket (int_tickets__tickets): first response, solves, reopens, replies, agent work time. -#}
with tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

comments as (

    select * from {{ ref('stg_helpdesk__ticket_comments') }}

),

users as (

    select * from {{ ref('stg_helpdesk__users') }}

),

helpdesk_agents as (

    select * from {{ ref('int_agents__helpdesk_users') }}

),

status_timeline as (

    select * from {{ ref('int_tickets__status_timeline') }}

),

ticket_comments as (

    select
        comments.comment_id,
        comments.ticket_id,
        comments.author_user_id,
        comments.created_at,
        comments.is_public,
        row_number() over (
            partition by comments.ticket_id
            order by comments.created_at nulls last, comments.comment_id
        ) as comment_order
    from comments
    inner join tickets
        on comments.ticket_id = tickets.ticket_id

),

classified_comments as (

    select
        ticket_comments.*,
        coalesce(users.user_role in ('agent', 'admin'), false)
        or helpdesk_agents.helpdesk_user_id is not null as is_agent_author
    from ticket_comments
    left join users
        on ticket_comments.author_user_id = users.user_id
    left join helpdesk_agents
        on ticket_comments.author_user_id = helpdesk_agents.helpdesk_user_id

),

agent_replies as (

    select *
    from classified_comments
    where
        is_agent_author
        and coalesce(is_public, false)
        and comment_order > 1
        and created_at is not null

),

reply_summary as (

    select
        ticket_id,
        min(created_at) as first_response_at,
        max(created_at) as last_agent_reply_at,
        count(*) as agent_replies
    from agent_replies
    group by ticket_id

),

comment_summary as (

    select
        ticket_id,
        sum(case when is_public and not is_agent_author then 1 else 0 end) as customer_comments,
        sum(case when not is_public then 1 else 0 end) as internal_notes,
        count(*) as total_comments,
        sum(case when is_public then 1 else 0 end) as public_comments,
        sum(case when is_agent_author then 1 else 0 end) as agent_comments,
        sum(case when not is_agent_author then 1 else 0 end) as end_user_comments,
        max(created_at) as last_comment_at
    from classified_comments
    group by ticket_id

),

status_summary as (

    select
        ticket_id,
        min(case when status = 'solved' then started_at end) as first_solved_at,
        max(case when status = 'solved' then started_at end) as last_solved_at,
        min(case when status = 'closed' then started_at end) as first_closed_at,
        sum(case when is_reopen then 1 else 0 end) as reopen_count,
        sum(
            case
                when status in ('solved', 'closed') and coalesce(previous_status not in ('solved', 'closed'), true)
                    then 1
                else 0
            end
        ) as solves,
        sum(case when is_agent_work_status and not is_current then seconds else 0 end) as agent_work_seconds,
        count(*) as status_intervals
    from status_timeline
    group by ticket_id

),

work_intervals as (

    select
        status_timeline.status_interval_id,
        tickets.queue_id,
        status_timeline.started_at,
        status_timeline.ended_at
    from status_timeline
    inner join tickets
        on status_timeline.ticket_id = tickets.ticket_id
    where status_timeline.is_agent_work_status and not status_timeline.is_current

),

work_business_seconds as (

    {{ business_seconds('work_intervals', 'status_interval_id', 'queue_id', 'started_at', 'ended_at') }}

),

work_business_summary as (

    select
        status_timeline.ticket_id,
        sum(work_business_seconds.business_seconds) as agent_work_business_seconds,
        count(*) as work_intervals,
        count(work_business_seconds.business_seconds) as work_intervals_measured
    from work_business_seconds
    inner join status_timeline
        on work_business_seconds.status_interval_id = status_timeline.status_interval_id
    group by status_timeline.ticket_id

),

joined as (

    select
        tickets.ticket_id,
        tickets.status as current_status,
        tickets.priority,
        tickets.created_at,
        reply_summary.first_response_at,
        reply_summary.last_agent_reply_at,
        comment_summary.last_comment_at,
        status_summary.first_solved_at,
        status_summary.last_solved_at,
        status_summary.first_closed_at,
        coalesce(reply_summary.agent_replies, 0) as agent_replies,
        coalesce(comment_summary.customer_comments, 0) as customer_comments,
        coalesce(comment_summary.internal_notes, 0) as internal_notes,
        coalesce(comment_summary.total_comments, 0) as total_comments,
        coalesce(comment_summary.public_comments, 0) as public_comments,
        coalesce(comment_summary.agent_comments, 0) as agent_comments,
        coalesce(comment_summary.end_user_comments, 0) as end_user_comments,
        coalesce(status_summary.solves, 0) as solves,
        coalesce(status_summary.reopen_count, 0) as reopen_count,
        coalesce(status_summary.status_intervals, 0) as status_intervals,
        coalesce(status_summary.agent_work_seconds, 0) as agent_work_seconds,
        tickets.status in ('solved', 'closed') as is_solved,
        case
            when work_business_summary.work_intervals = work_business_summary.work_intervals_measured
                then work_business_summary.agent_work_business_seconds
            when work_business_summary.ticket_id is null then 0
        end as agent_work_business_seconds
    from tickets
    left join reply_summary
        on tickets.ticket_id = reply_summary.ticket_id
    left join comment_summary
        on tickets.ticket_id = comment_summary.ticket_id
    left join status_summary
        on tickets.ticket_id = status_summary.ticket_id
    left join work_business_summary
        on tickets.ticket_id = work_business_summary.ticket_id

),

final as (

    select
        ticket_id,
        current_status,
        priority,
        created_at,
        first_response_at,
        last_agent_reply_at,
        cast(agent_replies as {{ dbt.type_bigint() }}) as agent_replies,
        cast(customer_comments as {{ dbt.type_bigint() }}) as customer_comments,
        cast(internal_notes as {{ dbt.type_bigint() }}) as internal_notes,
        cast(total_comments as {{ dbt.type_bigint() }}) as total_comments,
        cast(public_comments as {{ dbt.type_bigint() }}) as public_comments,
        cast(agent_comments as {{ dbt.type_bigint() }}) as agent_comments,
        cast(end_user_comments as {{ dbt.type_bigint() }}) as end_user_comments,
        last_comment_at,
        cast(solves as {{ dbt.type_bigint() }}) as solves,
        first_solved_at,
        case when is_solved then coalesce(last_solved_at, first_closed_at) end as solved_at,
        first_closed_at,
        cast(reopen_count as {{ dbt.type_bigint() }}) as reopen_count,
        cast(status_intervals as {{ dbt.type_bigint() }}) as status_intervals,
        cast(agent_work_seconds as {{ dbt.type_bigint() }}) as agent_work_seconds,
        cast(agent_work_business_seconds as {{ dbt.type_bigint() }}) as agent_work_business_seconds,
        first_response_at is not null as is_handled,
        is_solved,
        is_solved or first_solved_at is not null as has_been_solved,
        reopen_count > 0 as is_reopened,
        is_solved and agent_replies = 1 as is_one_touch,
        is_solved and agent_replies = 2 as is_two_touch,
        is_solved and agent_replies > 2 as is_multi_touch
    from joined

)

select * from final
