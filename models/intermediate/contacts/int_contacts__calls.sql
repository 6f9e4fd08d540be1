{#- One row per phone contact (a chain of call legs), in the canonical per-channel contact columns. Rules in
    _int_contacts__calls.yml. Incremental by changed key (macros/incremental/changed_keys.sql): a daily build
    computes again the contacts whose chain int_contacts__call_legs computed since this model's last build (by the
    legs' _chain_built_at: a chain that another joined is gone, and its first leg names its old contact). -#}
{%- set changes = [[
    'contact_id', 'int_contacts__call_legs', '(' ~ dbt.concat(["'telephony:'", 'leg_id']) ~ ')', '_chain_built_at',
]] -%}
{#- a re-sent contact-records file: the legs compute its chains again; a contact whose legs are all gone is deleted -#}
{%- set raw_tables = [] -%}
{%- set gone = ['contact_id', 'int_contacts__call_legs', 'contact_id'] -%}
{{ changed_keys_config(changes, raw_tables, gone=gone) }}

with all_call_legs as (

    select * from {{ ref('int_contacts__call_legs') }}

),

call_legs as (

    select * from all_call_legs
    where {{ in_changed_keys(changes, raw_tables, gone=gone) }}

),

caller_countries as (

    select * from {{ ref('caller_countries') }}

),

inbound_legs as (

    select * from call_legs
    where not is_outbound_contact

),

{# Per contact, the leg numbers that decide each column (the first queued leg gives the queue, the last answered
    one the agent...): a group-by joined back, cheaper than six window functions over every leg. #}
deciding_legs as (

    select
        contact_id,
        min(case when is_queued then leg_number end) as first_queued_leg_number,
        max(case when is_queued then leg_number end) as last_queued_leg_number,
        max(case when is_answered then leg_number end) as last_answered_leg_number,
        min(case when issue_type is not null then leg_number end) as issue_leg_number,
        min(case when customer_ref_id is not null then leg_number end) as customer_ref_leg_number,
        min(case when customer_phone_hash is not null then leg_number end) as phone_leg_number
    from inbound_legs
    group by contact_id

),

leg_positions as (

    select
        inbound_legs.*,
        deciding_legs.first_queued_leg_number,
        deciding_legs.last_queued_leg_number,
        deciding_legs.last_answered_leg_number,
        deciding_legs.issue_leg_number,
        deciding_legs.customer_ref_leg_number,
        deciding_legs.phone_leg_number
    from inbound_legs
    inner join deciding_legs
        on inbound_legs.contact_id = deciding_legs.contact_id

),

{# The ordered list of legs, built only where there is more than one (an ordered aggregate is costly). #}
multi_leg_source_ids as (

    select
        contact_id,
        {{ dbt.listagg('leg_id', "','", 'order by leg_number') }} as source_ids
    from inbound_legs
    where leg_count > 1
    group by contact_id

),

contacts as (

    select
        contact_id,
        max(source_contact_id) as source_contact_id,
        max(leg_id) as any_leg_id,
        max(case when leg_number = first_queued_leg_number then queue_id end) as queue_id,
        max(case when leg_number = issue_leg_number then issue_type end) as issue_type,
        max(case when leg_number = customer_ref_leg_number then customer_ref_id end) as customer_ref_id,
        max(case when leg_number = phone_leg_number then customer_phone_hash end) as customer_phone_hash,
        max(case when leg_number = phone_leg_number then customer_phone_prefix end) as customer_phone_prefix,
        max(case when leg_number = last_answered_leg_number then agent_id end) as agent_id,
        min(coalesce(initiated_at, enqueued_at)) as arrived_at,
        max(case when leg_number = first_queued_leg_number then enqueued_at end) as enqueued_at,
        min(connected_to_agent_at) as answered_at,
        max(case
            when leg_number = last_queued_leg_number then coalesce(dequeued_at, disconnected_at)
        end) as left_queue_at,
        max(disconnected_at) as ended_at,
        {{ sum_where('talk_seconds', 'is_answered') }} as answered_talk_seconds,
        {{ sum_where('hold_seconds', 'is_answered') }} as answered_hold_seconds,
        {{ sum_where('acw_seconds', 'is_answered') }} as answered_acw_seconds,
        max(case when is_answered and talk_seconds is null then 1 else 0 end) as has_missing_talk,
        max(case when is_answered and hold_seconds is null then 1 else 0 end) as has_missing_hold,
        max(case when is_answered and acw_seconds is null then 1 else 0 end) as has_missing_acw,
        max(case when is_queued or is_answered then 1 else 0 end) as offered_legs,
        max(case when is_answered then 1 else 0 end) as answered_legs,
        max(case when is_callback_leg then 1 else 0 end) as callback_legs,
        sum(case when is_transfer_leg then 1 else 0 end) as transfer_legs,
        max(last_answered_leg_number) as last_answered_leg_number,
        max(leg_count) as leg_count
    from leg_positions
    group by contact_id

),

outcomes as (

    select
        contacts.*,
        coalesce(multi_leg_source_ids.source_ids, contacts.any_leg_id) as source_ids,
        contacts.offered_legs = 1 as is_offered,
        contacts.answered_legs = 1 as is_answered,
        coalesce(contacts.last_answered_leg_number = contacts.leg_count, false) as is_resolved
    from contacts
    left join multi_leg_source_ids
        on contacts.contact_id = multi_leg_source_ids.contact_id

),

{# The site serving the caller's country: the longest calling code of seeds/caller_countries.csv that starts the
    caller's number. It dates a call that reached no queue and no agent (an IVR-only call). #}
caller_country_matches as (

    select
        outcomes.contact_id,
        caller_countries.time_zone,
        row_number() over (
            partition by outcomes.contact_id
            order by {{ dbt.length('caller_countries.calling_code') }} desc
        ) as match_rank
    from outcomes
    inner join caller_countries
        on outcomes.customer_phone_prefix like {{ dbt.concat(['caller_countries.calling_code', "'%'"]) }}

),

with_entry_time_zone as (

    select
        outcomes.*,
        caller_country_matches.time_zone as entry_time_zone
    from outcomes
    left join caller_country_matches
        on
            outcomes.contact_id = caller_country_matches.contact_id
            and caller_country_matches.match_rank = 1

),

final as (

    select
        contact_id,
        'phone' as channel,
        'telephony' as source_system,
        source_contact_id,
        source_ids,
        queue_id,
        issue_type,
        cast(null as {{ dbt.type_string() }}) as priority,
        customer_ref_id,
        customer_phone_hash,
        cast(null as {{ dbt.type_string() }}) as customer_email_hash,
        cast(null as {{ dbt.type_string() }}) as helpdesk_user_id,
        cast(null as {{ dbt.type_string() }}) as chat_customer_id,
        agent_id,
        arrived_at,
        enqueued_at,
        answered_at,
        answered_at as first_response_at,
        case when is_resolved then ended_at end as resolved_at,
        ended_at,
        case
            when is_answered then {{ elapsed_seconds('enqueued_at', 'answered_at') }}
            when is_offered then {{ elapsed_seconds('enqueued_at', 'left_queue_at') }}
        end as wait_seconds,
        case when has_missing_talk = 0 then answered_talk_seconds end as talk_seconds,
        case when has_missing_hold = 0 then answered_hold_seconds end as hold_seconds,
        case when has_missing_acw = 0 then answered_acw_seconds end as acw_seconds,
        case
            when has_missing_talk = 0 and has_missing_hold = 0 and has_missing_acw = 0
                then answered_talk_seconds + answered_hold_seconds + answered_acw_seconds
        end as handle_seconds,
        is_offered,
        not is_offered as is_ivr_contained,
        is_answered,
        is_offered and not is_answered as is_abandoned,
        callback_legs = 1 as is_callback,
        cast(transfer_legs as {{ dbt.type_bigint() }}) as transfer_count,
        is_resolved,
        cast(null as {{ dbt.type_bigint() }}) as reopen_count,
        cast(null as {{ dbt.type_bigint() }}) as agent_replies,
        cast(null as {{ dbt.type_string() }}) as entry_page,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as device,
        cast(null as {{ dbt.type_string() }}) as referrer,
        entry_time_zone
    from with_entry_time_zone

)

select * from final
