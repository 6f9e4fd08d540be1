{#- One row per call leg of a customer contact, stitched to the contact it belongs to (rules in
    _int_contacts__call_legs.yml). The transfer/callback chain is walked with a bounded chain of self-joins
    (no recursive CTE): var call_chain_max_depth hops, default 6. Incremental by call chain: a daily build computes
    again the chains its new contact records touch (macros/incremental/changed_call_chains.sql). -#}
{%- set max_depth = var('call_chain_max_depth', 6) | int -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    post_hook=["{{ delete_rebuilt_call_chains() }}", "{{ forget_day_window() }}", "{{ record_day_window() }}"]
) }}
{#- a unit test has no `this`: a full build -#}
{%- set incremental_run = this is not none and is_incremental() -%}

with contact_records as (

    {# calls only: Amazon Connect also writes CHAT, TASK and EMAIL contacts (counted in data_quality_daily); a record
        without a channel is the phone system's call #}
    select * from {{ ref('stg_telephony__contact_records') }}
    where coalesce(channel, 'VOICE') = 'VOICE'

),

queues as (

    select * from {{ ref('queues') }}

),

agent_identifiers as (

    select * from {{ ref('int_agents__identifiers') }}

),

{# Legs whose previous leg is in the data: the only ones with a chain to walk (most legs start their contact,
    so the walk's self-joins run over this small set, not over every leg). #}
links as (

    select
        contact_records.contact_id as leg_id,
        predecessors.contact_id as previous_leg_id
    from contact_records
    inner join contact_records as predecessors
        on contact_records.previous_contact_id = predecessors.contact_id

),

{# hop_1 is the leg's own link; hop_n.previous_leg_id is the leg n steps back. #}
chain_walk as (

    select
        hop_1.leg_id,
        coalesce(
            {% for hop in range(max_depth, 0, -1) %}hop_{{ hop }}.previous_leg_id{{ ', ' if not loop.last }}{% endfor %}
        ) as first_leg_id,
        0
        {%- for hop in range(1, max_depth + 1) %}
        + (case when hop_{{ hop }}.leg_id is not null then 1 else 0 end)
        {%- endfor %} as chain_depth,
        hop_{{ max_depth + 1 }}.leg_id is not null as is_chain_truncated
    from links as hop_1
    {%- for hop in range(2, max_depth + 2) %}
    left join links as hop_{{ hop }}
        on hop_{{ hop - 1 }}.previous_leg_id = hop_{{ hop }}.leg_id
    {%- endfor %}

),

legs_in_chains as (

    select
        contact_records.*,
        coalesce(chain_walk.first_leg_id, contact_records.contact_id) as first_leg_id,
        coalesce(chain_walk.chain_depth, 0) as chain_depth,
        coalesce(chain_walk.is_chain_truncated, false) as is_chain_truncated
    from contact_records
    left join chain_walk
        on contact_records.contact_id = chain_walk.leg_id

),

{# What this build computes: every chain on a full build; on an incremental run the chains the changed records
    touch, found in the table (their legs' chains now: the same, or the one a changed record on their way back
    joins) and the chains of the changed records themselves (macros/incremental/changed_call_chains.sql). #}
computed_legs as (

    select * from legs_in_chains
    where {{ in_call_chains_to_compute('legs_in_chains', incremental_run) }}

),

chain_flags as (

    select
        *,
        max(case when is_test_account then 1 else 0 end) over (partition by first_leg_id) as test_account_legs_in_chain,
        max(case when contact_id = first_leg_id and initiation_method = 'OUTBOUND' then 1 else 0 end) over (
            partition by first_leg_id
        ) as outbound_first_legs_in_chain
    from computed_legs

),

customer_legs as (

    select * from chain_flags
    where test_account_legs_in_chain = 0

),

numbered as (

    select
        *,
        row_number() over (
            partition by first_leg_id
            order by chain_depth, initiated_at, contact_id
        ) as leg_number,
        count(*) over (partition by first_leg_id) as leg_count
    from customer_legs

),

with_queue_and_agent as (

    select
        numbered.*,
        coalesce(queues.queue_id, {{ unconfigured_queue_id('telephony', 'numbered.queue_ref') }}) as queue_id,
        agent_identifiers.agent_id
    from numbered
    left join queues
        on
            queues.source_system = 'telephony'
            and numbered.queue_ref = queues.source_queue_ref
    left join agent_identifiers
        on
            agent_identifiers.identifier_type = 'telephony_username'
            and lower(numbered.agent_username) = lower(agent_identifiers.identifier_value)

),

classified as (

    select
        *,
        (queue_ref is not null or enqueued_at is not null) as is_queued,
        (agent_username is not null or connected_to_agent_at is not null) as is_answered,
        initiation_method = 'CALLBACK' as is_callback_leg,
        (
            initiation_method = 'TRANSFER'
            or (leg_number > 1 and initiation_method <> 'CALLBACK')
        ) as is_transfer_leg
    from with_queue_and_agent

),

final as (

    select
        {{ dbt.concat(["'telephony:'", 'first_leg_id']) }} as contact_id,
        first_leg_id as source_contact_id,
        contact_id as leg_id,
        previous_contact_id as previous_leg_id,
        cast(leg_number as {{ dbt.type_int() }}) as leg_number,
        cast(leg_count as {{ dbt.type_int() }}) as leg_count,
        leg_number = leg_count as is_last_leg,
        outbound_first_legs_in_chain = 1 as is_outbound_contact,
        initiation_method,
        is_transfer_leg,
        is_callback_leg,
        queue_ref,
        queue_id,
        agent_username,
        agent_id,
        customer_id as customer_ref_id,
        customer_phone_hash,
        customer_phone_prefix,
        issue_type,
        initiated_at,
        enqueued_at,
        dequeued_at,
        connected_to_agent_at,
        disconnected_at,
        acw_started_at,
        acw_ended_at,
        case
            when is_answered then {{ elapsed_seconds('enqueued_at', 'connected_to_agent_at') }}
            when is_queued then {{ elapsed_seconds('enqueued_at', 'coalesce(dequeued_at, disconnected_at)') }}
        end as wait_seconds,
        cast(queue_seconds as {{ type_double() }}) as queue_seconds,
        cast(agent_interaction_seconds as {{ type_double() }}) as talk_seconds,
        cast(customer_hold_seconds as {{ type_double() }}) as hold_seconds,
        number_of_holds,
        cast(acw_seconds as {{ type_double() }}) as acw_seconds,
        cast(
            agent_interaction_seconds + customer_hold_seconds + acw_seconds as {{ type_double() }}
        ) as handle_seconds,
        disconnect_reason,
        is_ivr_only,
        is_queued,
        is_answered,
        (is_queued and not is_answered) as is_unanswered_in_queue,
        (previous_contact_id is not null and chain_depth = 0) as has_missing_previous_leg,
        is_chain_truncated,
        has_invalid_timestamp,
        has_invalid_duration,
        {#- lineage: the export file of the leg's record (a re-sent file touches its legs' chains) #}
        _source_file,
        {#- bookkeeping: when this build computed the leg's chain (int_contacts__calls reads it) #}
        {{ call_chains_build_stamp(incremental_run) }} as _chain_built_at
    from classified

)

select * from final
