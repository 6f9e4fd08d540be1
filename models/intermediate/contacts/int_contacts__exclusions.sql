{#- What the contact models leave out, counted: one row per source system and reason. Rules in
    _int_contacts__exclusions.yml. -#}
with contact_records as (

    select * from {{ ref('stg_telephony__contact_records') }}

),

call_legs as (

    select * from {{ ref('int_contacts__call_legs') }}

),

sessions as (

    select * from {{ ref('stg_chat__sessions') }}

),

excluded_call_legs as (

    select
        contact_records.contact_id,
        contact_records.previous_contact_id
    from contact_records
    left join call_legs
        on contact_records.contact_id = call_legs.leg_id
    where call_legs.leg_id is null

),

excluded_call_chain_starts as (

    select excluded_call_legs.contact_id
    from excluded_call_legs
    left join excluded_call_legs as predecessors
        on excluded_call_legs.previous_contact_id = predecessors.contact_id
    where predecessors.contact_id is null

),

test_account_calls as (

    select
        'telephony' as source_system,
        'test_account' as exclusion_reason,
        (select count(*) from excluded_call_legs) as excluded_records,
        (select count(*) from excluded_call_chain_starts) as excluded_contacts

),

outbound_calls as (

    select
        'telephony' as source_system,
        'outbound_call' as exclusion_reason,
        count(*) as excluded_records,
        count(distinct contact_id) as excluded_contacts
    from call_legs
    where is_outbound_contact

),

test_account_chats as (

    select
        'chat' as source_system,
        'test_account' as exclusion_reason,
        count(*) as excluded_records,
        count(*) as excluded_contacts
    from sessions
    where is_test_account

),

unioned as (

    select * from test_account_calls
    union all
    select * from outbound_calls
    union all
    select * from test_account_chats

),

final as (

    select
        source_system,
        exclusion_reason,
        cast(excluded_records as {{ dbt.type_bigint() }}) as excluded_records,
        cast(excluded_contacts as {{ dbt.type_bigint() }}) as excluded_contacts
    from unioned

)

select * from final
