{#- One row per chat session of a customer (test accounts excluded), in the canonical per-channel contact
    columns. Rules in _int_contacts__chats.yml. -#}
with sessions as (

    select * from {{ ref('stg_chat__sessions') }}

),

queues as (

    select * from {{ ref('queues') }}

),

agent_identifiers as (

    select * from {{ ref('int_agents__identifiers') }}

),

customer_sessions as (

    select * from sessions
    where not is_test_account

),

with_queue_and_agent as (

    select
        customer_sessions.*,
        coalesce(queues.queue_id, {{ unconfigured_queue_id('chat', 'customer_sessions.department') }}) as queue_id,
        agent_identifiers.agent_id
    from customer_sessions
    left join queues
        on
            queues.source_system = 'chat'
            and customer_sessions.department = queues.source_queue_ref
    left join agent_identifiers
        on
            agent_identifiers.identifier_type = 'chat_agent_id'
            and lower(customer_sessions.chat_agent_id) = lower(agent_identifiers.identifier_value)

),

outcomes as (

    select
        *,
        first_agent_message_at is not null as is_answered
    from with_queue_and_agent

),

final as (

    select
        {{ dbt.concat(["'chat:'", 'session_id']) }} as contact_id,
        'chat' as channel,
        'chat' as source_system,
        session_id as source_contact_id,
        session_id as source_ids,
        queue_id,
        issue_type,
        'normal' as priority,
        customer_id as customer_ref_id,
        cast(null as {{ dbt.type_string() }}) as customer_phone_hash,
        email_hash as customer_email_hash,
        cast(null as {{ dbt.type_string() }}) as helpdesk_user_id,
        customer_id as chat_customer_id,
        agent_id,
        requested_at as arrived_at,
        requested_at as enqueued_at,
        first_agent_message_at as answered_at,
        first_agent_message_at as first_response_at,
        case when is_answered then ended_at end as resolved_at,
        ended_at,
        case
            when is_answered then {{ elapsed_seconds('requested_at', 'first_agent_message_at') }}
            else {{ elapsed_seconds('requested_at', 'ended_at') }}
        end as wait_seconds,
        case when is_answered then {{ elapsed_seconds('first_agent_message_at', 'ended_at') }} end as talk_seconds,
        cast(null as {{ type_double() }}) as hold_seconds,
        cast(null as {{ type_double() }}) as acw_seconds,
        case when is_answered then {{ elapsed_seconds('first_agent_message_at', 'ended_at') }} end as handle_seconds,
        true as is_offered,
        false as is_ivr_contained,
        is_answered,
        not is_answered as is_abandoned,
        false as is_callback,
        cast(case when is_transferred then 1 else 0 end as {{ dbt.type_bigint() }}) as transfer_count,
        is_answered as is_resolved,
        cast(null as {{ dbt.type_bigint() }}) as reopen_count,
        cast(agent_messages as {{ dbt.type_bigint() }}) as agent_replies,
        entry_page_url as entry_page,
        utm_source,
        device,
        referrer,
        {#- every chat queue has a site: its queue dates it -#}
        cast(null as {{ dbt.type_string() }}) as entry_time_zone
    from outcomes

)

select * from final
