{{
    config(
        materialized='incremental',
        unique_key='contact_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('telephony', 'contact_records') }}
    {{ new_landings_only() }}

),

flattened as (

    select
        {{ account_scoped(clean_text('source.ContactId'), 'source._source_file') }} as contact_id,
        {{ account_scoped(clean_text('source.PreviousContactId'), 'source._source_file') }} as previous_contact_id,
        {{ account_scoped(clean_text('source.NextContactId'), 'source._source_file') }} as next_contact_id,
        upper({{ clean_text('source.Channel') }}) as channel,
        upper({{ clean_text('source.InitiationMethod') }}) as initiation_method,
        {{ clean_text('source.InitiationTimestamp') }} as initiation_timestamp,
        {{ clean_text('source.DisconnectTimestamp') }} as disconnect_timestamp,
        {{ clean_text('source.LastUpdateTimestamp') }} as last_update_timestamp,
        {{ clean_text('source.CustomerEndpoint.Address') }} as customer_address,
        upper({{ clean_text('source.CustomerEndpoint.Type') }}) as customer_endpoint_type,
        {{ clean_text('source.Attributes.customer_id') }} as customer_id,
        lower({{ clean_text('source.Attributes.issue_type') }}) as issue_type,
        {{ redact_free_text(clean_text('source.Attributes.ivr_path')) }} as ivr_path,
        {{ clean_text('source.Queue.Name') }} as queue_ref,
        {{ clean_text('source.Queue.EnqueueTimestamp') }} as enqueue_timestamp,
        {{ clean_text('source.Queue.DequeueTimestamp') }} as dequeue_timestamp,
        {{ clean_text('source.Queue.Duration') }} as queue_duration,
        {{ account_scoped(clean_text('source.Agent.Username'), 'source._source_file') }} as agent_username,
        {{ clean_text('source.Agent.ConnectedToAgentTimestamp') }} as connected_to_agent_timestamp,
        {{ clean_text('source.Agent.AgentInteractionDuration') }} as agent_interaction_duration,
        {{ clean_text('source.Agent.CustomerHoldDuration') }} as customer_hold_duration,
        {{ clean_text('source.Agent.NumberOfHolds') }} as number_of_holds_text,
        {{ clean_text('source.Agent.AfterContactWorkDuration') }} as after_contact_work_duration,
        {{ clean_text('source.Agent.AfterContactWorkStartTimestamp') }} as acw_start_timestamp,
        {{ clean_text('source.Agent.AfterContactWorkEndTimestamp') }} as acw_end_timestamp,
        {{ redact_free_text('upper(' ~ clean_text('source.DisconnectReason') ~ ')') }} as disconnect_reason,
        (
            {{ clean_text('source.Agent.Username') }} is not null
            or {{ clean_text('source.Agent.ConnectedToAgentTimestamp') }} is not null
        ) as has_agent,
        {{ landing_columns('source') }}
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('initiation_timestamp') }} as initiated_at,
        {{ parse_iso_timestamp('disconnect_timestamp') }} as disconnected_at,
        {{ parse_iso_timestamp('last_update_timestamp') }} as last_updated_at,
        {{ parse_iso_timestamp('enqueue_timestamp') }} as enqueued_at,
        {{ parse_iso_timestamp('dequeue_timestamp') }} as dequeued_at,
        {{ parse_iso_timestamp('connected_to_agent_timestamp') }} as connected_to_agent_at,
        {{ parse_iso_timestamp('acw_start_timestamp') }} as acw_started_at,
        {{ parse_iso_timestamp('acw_end_timestamp') }} as acw_ended_at,
        {{ clean_duration('queue_duration', 'call_part') }} as queue_seconds,
        {{ clean_duration('agent_interaction_duration', 'call_part') }} as agent_interaction_seconds,
        {{ clean_duration_absent_as_zero('customer_hold_duration', 'call_part', 'has_agent') }}
            as customer_hold_seconds,
        {{ clean_duration_absent_as_zero('after_contact_work_duration', 'call_part', 'has_agent') }} as acw_seconds,
        case
            when
                has_agent and number_of_holds_text is null
                and coalesce({{ safe_to_integer('customer_hold_duration') }}, 0) = 0
                then 0
            when {{ safe_to_integer('number_of_holds_text') }} >= 0
                then {{ safe_to_integer('number_of_holds_text') }}
        end as number_of_holds,
        {{ normalize_phone_e164('customer_address') }} as customer_phone_e164
    from flattened

),

flagged as (

    select
        *,
        {{ hash_pii('customer_phone_e164') }} as customer_phone_hash,
        {#- the country calling code and next digit(s), never the number: dates a call the IVR kept -#}
        substr(customer_phone_e164, 2, 4) as customer_phone_prefix,
        (queue_ref is null and enqueue_timestamp is null and agent_username is null) as is_ivr_only,
        (
            {{ invalid_if_unparsed('initiation_timestamp', 'initiated_at') }}
            or {{ invalid_if_unparsed('disconnect_timestamp', 'disconnected_at') }}
            or {{ invalid_if_unparsed('last_update_timestamp', 'last_updated_at') }}
            or {{ invalid_if_unparsed('enqueue_timestamp', 'enqueued_at') }}
            or {{ invalid_if_unparsed('dequeue_timestamp', 'dequeued_at') }}
            or {{ invalid_if_unparsed('connected_to_agent_timestamp', 'connected_to_agent_at') }}
            or {{ invalid_if_unparsed('acw_start_timestamp', 'acw_started_at') }}
            or {{ invalid_if_unparsed('acw_end_timestamp', 'acw_ended_at') }}
        ) as has_invalid_timestamp,
        (
            {{ is_invalid_duration('queue_duration', 'call_part') }}
            or {{ is_invalid_duration('agent_interaction_duration', 'call_part') }}
            or {{ is_invalid_duration('customer_hold_duration', 'call_part') }}
            or {{ is_invalid_duration('after_contact_work_duration', 'call_part') }}
            or {{ invalid_if_unparsed('number_of_holds_text', 'number_of_holds') }}
        ) as has_invalid_duration,
        {{ invalid_if_unparsed('customer_address', 'customer_phone_e164') }} as has_invalid_phone,
        {{ is_test_account(customer_id_expr='customer_id') }} as is_test_account
    from typed

),

keyed as (

    select * from flagged
    where contact_id is not null

),

final as (

    {{ newest_versions('keyed', ['contact_id'], [
            'contact_id',
            'previous_contact_id',
            'next_contact_id',
            'channel',
            'initiation_method',
            'initiated_at',
            'disconnected_at',
            'last_updated_at',
            'customer_phone_hash',
            'customer_phone_prefix',
            'customer_endpoint_type',
            'customer_id',
            'issue_type',
            'ivr_path',
            'queue_ref',
            'enqueued_at',
            'dequeued_at',
            'queue_seconds',
            'agent_username',
            'connected_to_agent_at',
            'agent_interaction_seconds',
            'customer_hold_seconds',
            'number_of_holds',
            'acw_seconds',
            'acw_started_at',
            'acw_ended_at',
            'disconnect_reason',
            'is_ivr_only',
            'has_invalid_timestamp',
            'has_invalid_duration',
            'has_invalid_phone',
            'is_test_account'
        ], record_order=['last_updated_at desc nulls last']) }}

)

select * from final
