{#- One row per help-desk ticket of a real customer: test-account tickets (requester flagged in
    stg_helpdesk__users) are excluded here, once, for every ticket model downstream. Adds the canonical
    channel, the queue and the requester's identifiers. -#}
with tickets as (

    select * from {{ ref('stg_helpdesk__tickets') }}

),

users as (

    select * from {{ ref('stg_helpdesk__users') }}

),

queues as (

    select * from {{ ref('queues') }}

),

helpdesk_queues as (

    select
        queue_id,
        channel,
        source_queue_ref
    from queues
    where source_system = 'helpdesk'

),

channel_queue_counts as (

    select
        channel,
        min(queue_id) as queue_id,
        count(*) as queue_count
    from helpdesk_queues
    group by channel

),

channel_default_queues as (

    select
        channel,
        queue_id
    from channel_queue_counts
    where queue_count = 1

),

with_requester as (

    select
        tickets.*,
        users.customer_id as requester_customer_id,
        users.email_hash as requester_email_hash,
        users.phone_hash as requester_phone_hash,
        coalesce(users.is_test_account, false) as is_test_account
    from tickets
    left join users
        on tickets.requester_id = users.user_id

),

real_customer_tickets as (

    select * from with_requester
    where not is_test_account

),

with_group_queue as (

    select
        real_customer_tickets.*,
        helpdesk_queues.queue_id as group_queue_id,
        helpdesk_queues.channel as group_queue_channel
    from real_customer_tickets
    left join helpdesk_queues
        on real_customer_tickets.group_id = helpdesk_queues.source_queue_ref

),

with_channel as (

    select
        *,
        case
            when via_channel = 'email' then 'email'
            when via_channel in ('web', 'web_form') then 'web_form'
            when group_queue_channel is not null then group_queue_channel
            else 'email'
        end as channel
    from with_group_queue

),

{# The help desk's status text mapped to the canonical status (macro canonical_ticket_status): on-hold is hold, a
    value outside the mapping is other (counted in data_quality_daily). #}
with_status as (

    select
        *,
        {{ canonical_ticket_status('status') }} as canonical_status
    from with_channel

),

final as (

    select
        with_status.ticket_id,
        with_status.created_at,
        with_status.updated_at,
        with_status.canonical_status as status,
        with_status.status as source_status,
        with_status.priority,
        with_status.ticket_type,
        with_status.via_channel,
        with_status.channel,
        with_status.group_id,
        with_status.issue_type,
        with_status.requester_id,
        with_status.requester_customer_id,
        with_status.requester_email_hash,
        with_status.requester_phone_hash,
        with_status.assignee_id,
        with_status.has_invalid_timestamp,
        coalesce(with_status.group_queue_id, channel_default_queues.queue_id) as queue_id,
        with_status.group_queue_id is null and channel_default_queues.queue_id is not null as is_queue_from_channel,
        with_status.canonical_status = 'deleted' or coalesce(with_status.is_deleted, false) as is_deleted
    from with_status
    left join channel_default_queues
        on with_status.channel = channel_default_queues.channel

)

select * from final
