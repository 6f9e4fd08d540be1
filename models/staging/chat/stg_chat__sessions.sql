{{
    config(
        materialized='incremental',
        unique_key='session_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('chat', 'sessions') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ clean_text('session_id') }} as session_id,
        {{ pseudonymise_identifier(clean_text('visitor_id')) }} as visitor_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('email') }} as email,
        {{ clean_text('requested_at') }} as requested_at_ms,
        {{ clean_text('first_agent_message_at') }} as first_agent_message_at_ms,
        {{ clean_text('ended_at') }} as ended_at_ms,
        {{ clean_text('agent_id') }} as chat_agent_id,
        {{ clean_text('department') }} as department,
        {{ redact_url(clean_text('entry_page_url')) }} as entry_page_url,
        {{ redact_url(clean_text('referrer')) }} as referrer,
        lower({{ redact_free_text(clean_text('utm_source')) }}) as utm_source,
        lower({{ redact_free_text(clean_text('device')) }}) as device,
        {{ clean_text('agent_messages') }} as agent_messages_text,
        {{ clean_text('visitor_messages') }} as visitor_messages_text,
        {{ clean_text('missed') }} as missed_text,
        {{ clean_text('transferred') }} as transferred_text,
        lower({{ clean_text('topic') }}) as issue_type,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ epoch_ms_to_timestamp('requested_at_ms') }} as requested_at,
        {{ epoch_ms_to_timestamp('first_agent_message_at_ms') }} as first_agent_message_at,
        {{ epoch_ms_to_timestamp('ended_at_ms') }} as ended_at,
        {{ clean_count('agent_messages_text') }} as agent_messages,
        {{ clean_count('visitor_messages_text') }} as visitor_messages,
        {{ safe_to_boolean('missed_text') }} as is_missed,
        {{ safe_to_boolean('transferred_text') }} as is_transferred
    from renamed

),

flagged as (

    select
        *,
        {{ pii_derived_columns(email='email') }},
        (
            {{ invalid_if_unparsed('requested_at_ms', 'requested_at') }}
            or {{ invalid_if_unparsed('first_agent_message_at_ms', 'first_agent_message_at') }}
            or {{ invalid_if_unparsed('ended_at_ms', 'ended_at') }}
        ) as has_invalid_timestamp,
        (
            {{ invalid_if_unparsed('agent_messages_text', 'agent_messages') }}
            or {{ invalid_if_unparsed('visitor_messages_text', 'visitor_messages') }}
            or {{ invalid_if_unparsed('missed_text', 'is_missed') }}
            or {{ invalid_if_unparsed('transferred_text', 'is_transferred') }}
        ) as has_invalid_value,
        {{ is_test_account(customer_id_expr='customer_id', email_expr='email') }} as is_test_account
    from typed

),

keyed as (

    select * from flagged
    where session_id is not null

),

final as (

    {{ newest_versions('keyed', ['session_id'], [
            'session_id',
            'visitor_id',
            'customer_id',
            'email_hash',
            'email_domain',
            'requested_at',
            'first_agent_message_at',
            'ended_at',
            'chat_agent_id',
            'department',
            'issue_type',
            'entry_page_url',
            'referrer',
            'utm_source',
            'device',
            'agent_messages',
            'visitor_messages',
            'is_missed',
            'is_transferred',
            'has_invalid_timestamp',
            'has_invalid_value',
            'is_test_account'
        ], record_order=['ended_at desc nulls last']) }}

)

select * from final
