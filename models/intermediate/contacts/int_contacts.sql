{#- Every customer contact of every channel (calls, chats, tickets), one row each, with the CRM customer resolved,
    the handling agent's version (team at the time) and local times. Rules in _int_contacts.yml. The channel
    models are unioned on the canonical column list (macro union_contact_channels, the one place it is written). -#}
with calls as (

    select * from {{ ref('int_contacts__calls') }}

),

chats as (

    select * from {{ ref('int_contacts__chats') }}

),

tickets as (

    select * from {{ ref('int_contacts__tickets') }}

),

customer_identifiers as (

    select * from {{ ref('int_customers__identifiers') }}

),

agent_versions as (

    select * from {{ ref('int_agents__versions') }}

),

queues as (

    select * from {{ ref('int_queues__with_targets') }}

),

issue_types as (

    select * from {{ ref('issue_types') }}

),

{# The three channel models on the canonical column list, each column cast to its type. #}
unioned as (

    {{ union_contact_channels(['calls', 'chats', 'tickets']) }}

),

{# An issue type that is not a key of seeds/issue_types.csv (a typo, "NaN", a new menu option) becomes
    'unknown': counted in data_quality_daily, never a failed relationship and a stopped build. #}
with_customer as (

    select
        unioned.*,
        case
            when unioned.issue_type is not null and issue_types.issue_type is null then 'unknown'
            else unioned.issue_type
        end as known_issue_type,
        coalesce(
            by_crm_customer_id.customer_id,
            by_helpdesk_user_id.customer_id,
            by_chat_customer_id.customer_id,
            by_phone_hash.customer_id,
            by_email_hash.customer_id
        ) as customer_id,
        case
            when by_crm_customer_id.customer_id is not null then 'crm_customer_id'
            when by_helpdesk_user_id.customer_id is not null then 'helpdesk_user_id'
            when by_chat_customer_id.customer_id is not null then 'chat_customer_id'
            when by_phone_hash.customer_id is not null then 'phone_hash'
            when by_email_hash.customer_id is not null then 'email_hash'
        end as customer_match_method
    from unioned
    left join issue_types
        on unioned.issue_type = issue_types.issue_type
    left join customer_identifiers as by_crm_customer_id
        on
            by_crm_customer_id.identifier_type = 'crm_customer_id'
            and unioned.customer_ref_id = by_crm_customer_id.identifier_value
    left join customer_identifiers as by_helpdesk_user_id
        on
            by_helpdesk_user_id.identifier_type = 'helpdesk_user_id'
            and unioned.helpdesk_user_id = by_helpdesk_user_id.identifier_value
    left join customer_identifiers as by_chat_customer_id
        on
            by_chat_customer_id.identifier_type = 'chat_customer_id'
            and unioned.chat_customer_id = by_chat_customer_id.identifier_value
    left join customer_identifiers as by_phone_hash
        on
            by_phone_hash.identifier_type = 'phone_hash'
            and unioned.customer_phone_hash = by_phone_hash.identifier_value
            and not by_phone_hash.is_shared
    left join customer_identifiers as by_email_hash
        on
            by_email_hash.identifier_type = 'email_hash'
            and unioned.customer_email_hash = by_email_hash.identifier_value
            and not by_email_hash.is_shared

),

with_agent_version as (

    select
        with_customer.*,
        version_at_arrival.agent_key,
        version_at_arrival.team,
        version_at_arrival.site_time_zone as agent_site_time_zone
    from with_customer
    left join agent_versions as version_at_arrival
        on
            with_customer.agent_id = version_at_arrival.agent_id
            and {{ agent_version_in_force('version_at_arrival', 'with_customer.arrived_at') }}

),

with_time_zone as (

    select
        with_agent_version.*,
        coalesce(
            {#- an unconfigured queue's zone is only the default: the agent's site says more #}
            case when queues.is_configured then queues.time_zone end,
            with_agent_version.agent_site_time_zone,
            with_agent_version.entry_time_zone,
            '{{ var("contacts_default_time_zone", "Asia/Shanghai") }}'
        ) as time_zone
    from with_agent_version
    left join queues
        on with_agent_version.queue_id = queues.queue_id

),

final as (

    select
        with_time_zone.contact_id,
        with_time_zone.channel,
        with_time_zone.source_system,
        with_time_zone.source_contact_id,
        with_time_zone.source_ids,
        with_time_zone.queue_id,
        with_time_zone.known_issue_type as issue_type,
        with_time_zone.priority,
        with_time_zone.customer_ref_id,
        with_time_zone.customer_phone_hash,
        with_time_zone.customer_email_hash,
        with_time_zone.helpdesk_user_id,
        with_time_zone.chat_customer_id,
        with_time_zone.agent_id,
        with_time_zone.arrived_at,
        with_time_zone.enqueued_at,
        with_time_zone.answered_at,
        with_time_zone.first_response_at,
        with_time_zone.resolved_at,
        with_time_zone.ended_at,
        with_time_zone.wait_seconds,
        with_time_zone.talk_seconds,
        with_time_zone.hold_seconds,
        with_time_zone.acw_seconds,
        with_time_zone.handle_seconds,
        with_time_zone.is_offered,
        with_time_zone.is_ivr_contained,
        with_time_zone.is_answered,
        with_time_zone.is_abandoned,
        with_time_zone.is_callback,
        with_time_zone.transfer_count,
        with_time_zone.is_resolved,
        with_time_zone.reopen_count,
        with_time_zone.agent_replies,
        with_time_zone.entry_page,
        with_time_zone.utm_source,
        with_time_zone.device,
        with_time_zone.referrer,
        with_time_zone.customer_id,
        with_time_zone.customer_match_method,
        with_time_zone.agent_key,
        with_time_zone.team,
        with_time_zone.time_zone,
        {{ utc_to_local('with_time_zone.arrived_at', 'with_time_zone.time_zone') }} as arrived_at_local,
        cast({{ utc_to_local('with_time_zone.arrived_at', 'with_time_zone.time_zone') }} as date) as arrived_date_local,
        {{ utc_to_local('with_time_zone.answered_at', 'with_time_zone.time_zone') }} as answered_at_local,
        {{ utc_to_local('with_time_zone.first_response_at', 'with_time_zone.time_zone') }} as first_response_at_local,
        {{ utc_to_local('with_time_zone.resolved_at', 'with_time_zone.time_zone') }} as resolved_at_local,
        {{ interval_start('with_time_zone.arrived_at', 30) }} as interval_start_at
    from with_time_zone

)

select * from final
