{#- One row per (identifier_type, identifier_value) that identifies a CRM customer, with the customer_id it
    resolves to. Evidence: the CRM record itself (rank 1), help-desk end-user profiles carrying a CRM id in
    external_id (rank 2), contacts that reported a CRM id (int_contacts__calls: phone hash, int_contacts__chats:
    chat customer id and e-mail hash; rank 3), and help-desk end-users without a CRM id matched through their
    e-mail, else phone, hash (rank 4). Tie-break when an identifier points to several customers: best evidence
    rank, then most evidence rows, then the most recent evidence, then the smallest customer_id. Test accounts
    are excluded upstream (int_customers__customers, the contact models) and here for help-desk users. -#}
with customers as (

    select * from {{ ref('int_customers__customers') }}

),

helpdesk_users as (

    select * from {{ ref('stg_helpdesk__users') }}

),

chat_contacts as (

    select * from {{ ref('int_contacts__chats') }}

),

call_contacts as (

    select * from {{ ref('int_contacts__calls') }}

),

real_end_users as (

    select * from helpdesk_users
    where user_role = 'end-user' and not is_test_account

),

crm_evidence as (

    select
        'crm_customer_id' as identifier_type,
        customer_id as identifier_value,
        customer_id,
        created_at as seen_at,
        1 as evidence_rank
    from customers
    where customer_id is not null
    union all
    select
        'phone_hash' as identifier_type,
        phone_hash as identifier_value,
        customer_id,
        created_at as seen_at,
        1 as evidence_rank
    from customers
    where phone_hash is not null
    union all
    select
        'email_hash' as identifier_type,
        email_hash as identifier_value,
        customer_id,
        created_at as seen_at,
        1 as evidence_rank
    from customers
    where email_hash is not null

),

helpdesk_profiles as (

    select
        real_end_users.user_id,
        real_end_users.phone_hash,
        real_end_users.email_hash,
        real_end_users.created_at,
        customers.customer_id
    from real_end_users
    inner join customers
        on real_end_users.customer_id = customers.customer_id

),

helpdesk_evidence as (

    select
        'helpdesk_user_id' as identifier_type,
        user_id as identifier_value,
        customer_id,
        created_at as seen_at,
        2 as evidence_rank
    from helpdesk_profiles
    where user_id is not null
    union all
    select
        'phone_hash' as identifier_type,
        phone_hash as identifier_value,
        customer_id,
        created_at as seen_at,
        2 as evidence_rank
    from helpdesk_profiles
    where phone_hash is not null
    union all
    select
        'email_hash' as identifier_type,
        email_hash as identifier_value,
        customer_id,
        created_at as seen_at,
        2 as evidence_rank
    from helpdesk_profiles
    where email_hash is not null

),

chat_evidence as (

    select
        'chat_customer_id' as identifier_type,
        chat_contacts.chat_customer_id as identifier_value,
        customers.customer_id,
        chat_contacts.arrived_at as seen_at,
        3 as evidence_rank
    from chat_contacts
    inner join customers
        on chat_contacts.chat_customer_id = customers.customer_id
    where chat_contacts.chat_customer_id is not null
    union all
    select
        'email_hash' as identifier_type,
        chat_contacts.customer_email_hash as identifier_value,
        customers.customer_id,
        chat_contacts.arrived_at as seen_at,
        3 as evidence_rank
    from chat_contacts
    inner join customers
        on chat_contacts.chat_customer_id = customers.customer_id
    where chat_contacts.customer_email_hash is not null

),

call_evidence as (

    select
        'phone_hash' as identifier_type,
        call_contacts.customer_phone_hash as identifier_value,
        customers.customer_id,
        call_contacts.arrived_at as seen_at,
        3 as evidence_rank
    from call_contacts
    inner join customers
        on call_contacts.customer_ref_id = customers.customer_id
    where call_contacts.customer_phone_hash is not null

),

direct_evidence as (

    select * from crm_evidence
    union all
    select * from helpdesk_evidence
    union all
    select * from chat_evidence
    union all
    select * from call_evidence

),

direct_candidates as (

    select
        identifier_type,
        identifier_value,
        customer_id,
        min(evidence_rank) as evidence_rank,
        count(*) as evidence_count,
        max(seen_at) as last_seen_at
    from direct_evidence
    group by
        identifier_type,
        identifier_value,
        customer_id

),

direct_ranked as (

    select
        *,
        row_number() over (
            partition by identifier_type, identifier_value
            order by evidence_rank asc, evidence_count desc, last_seen_at desc nulls last, customer_id asc
        ) as candidate_rank,
        count(*) over (partition by identifier_type, identifier_value) as candidate_count
    from direct_candidates

),

direct_resolved as (

    select
        *,
        case evidence_rank when 1 then 'crm' when 2 then 'helpdesk' else 'contacts' end as evidence_source
    from direct_ranked
    where candidate_rank = 1

),

unlinked_end_users as (

    select real_end_users.*
    from real_end_users
    left join customers
        on real_end_users.customer_id = customers.customer_id
    where customers.customer_id is null

),

hash_matched_end_users as (

    select
        'helpdesk_user_id' as identifier_type,
        unlinked_end_users.user_id as identifier_value,
        unlinked_end_users.created_at as last_seen_at,
        4 as evidence_rank,
        1 as evidence_count,
        1 as candidate_count,
        coalesce(by_email.customer_id, by_phone.customer_id) as customer_id,
        case when by_email.customer_id is not null then 'helpdesk_email_match' else 'helpdesk_phone_match' end
            as evidence_source
    from unlinked_end_users
    left join direct_resolved as by_email
        on
            by_email.identifier_type = 'email_hash'
            and unlinked_end_users.email_hash = by_email.identifier_value
    left join direct_resolved as by_phone
        on
            by_phone.identifier_type = 'phone_hash'
            and unlinked_end_users.phone_hash = by_phone.identifier_value
    where by_email.customer_id is not null or by_phone.customer_id is not null

),

resolved as (

    select
        identifier_type,
        identifier_value,
        customer_id,
        evidence_source,
        evidence_rank,
        evidence_count,
        last_seen_at,
        candidate_count
    from direct_resolved
    union all
    select
        identifier_type,
        identifier_value,
        customer_id,
        evidence_source,
        evidence_rank,
        evidence_count,
        last_seen_at,
        candidate_count
    from hash_matched_end_users

),

final as (

    select
        cast(identifier_type as {{ dbt.type_string() }}) as identifier_type,
        cast(identifier_value as {{ dbt.type_string() }}) as identifier_value,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(evidence_source as {{ dbt.type_string() }}) as evidence_source,
        cast(evidence_rank as {{ dbt.type_int() }}) as evidence_rank,
        cast(evidence_count as {{ dbt.type_bigint() }}) as evidence_count,
        last_seen_at,
        cast(candidate_count as {{ dbt.type_bigint() }}) as candidate_count,
        candidate_count > 1 as is_ambiguous
    from resolved

)

select * from final
