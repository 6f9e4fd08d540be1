{#- One row per (identifier_type, identifier_value) that identifies a CRM customer, with the customer_id it
    resolves to. Evidence: the CRM record itself (rank 1), help-desk end-user profiles carrying a CRM id in
    external_id (rank 2), contacts that reported a CRM id (int_contacts__calls: phone hash, int_contacts__chats:
    chat customer id and e-mail hash; rank 3), and help-desk end-users without a CRM id matched through their
    e-mail and phone hashes (rank 4). Tie-break when an identifier points to several customers: best evidence
    rank, then most evidence rows, then the most recent evidence, then the smallest customer_id; `is_shared` says
    that several customers hold the identifier at its best evidence rank (e.g. one e-mail in two CRM records): such
    a key never decides alone (int_contacts ignores it; an end-user needs another key to match). For end-users,
    a match on more keys beats a match on fewer, and a tie decides nothing. Test accounts are excluded upstream
    (int_customers__customers, the contact models) and here for help-desk users. -#}
{%- set resolved_columns = [
    'identifier_type', 'identifier_value', 'customer_id', 'evidence_source', 'evidence_rank', 'evidence_count',
    'last_seen_at', 'candidate_count', 'is_shared',
] -%}
{%- set profile_evidence_keys = [
    ('customers', 1, [('crm_customer_id', 'customer_id'), ('phone_hash', 'phone_hash'), ('email_hash', 'email_hash')]),
    ('helpdesk_profiles', 2, [('helpdesk_user_id', 'user_id'), ('phone_hash', 'phone_hash'), ('email_hash', 'email_hash')]),
] -%}
{%- set candidate_columns = [
    'identifier_type', 'identifier_value', 'customer_id', 'evidence_rank', 'evidence_count', 'last_seen_at',
    'best_evidence_rank', 'candidate_count',
] | join(', ') -%}

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

{# The identifiers of the profiles themselves: the CRM record (rank 1) and the help-desk end-user profile that carries
    a CRM id (rank 2), each of its keys a row. #}
profile_evidence as (

    {%- for relation, rank, keys in profile_evidence_keys %}
        {%- set is_last_relation = loop.last %}
        {%- for identifier_type, key_column in keys %}
            select
                '{{ identifier_type }}' as identifier_type,
                {{ key_column }} as identifier_value,
                customer_id,
                created_at as seen_at,
                {{ rank }} as evidence_rank
            from {{ relation }}
            where {{ key_column }} is not null
            {%- if not (is_last_relation and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

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

    select * from profile_evidence
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

{# Per identifier: its best evidence rank and how many candidates it has (an aggregate: at 1/5 of the scale
    preset 11.1 M candidates of 11.0 M identifiers, whose windows took 14 of the model's 24 CPU-s). #}
identifier_stats as (

    select
        identifier_type,
        identifier_value,
        min(evidence_rank) as best_evidence_rank,
        count(*) as candidate_count
    from direct_candidates
    group by
        identifier_type,
        identifier_value

),

candidate_stats as (

    select
        direct_candidates.*,
        identifier_stats.best_evidence_rank,
        identifier_stats.candidate_count
    from direct_candidates
    inner join identifier_stats
        on
            direct_candidates.identifier_type = identifier_stats.identifier_type
            and direct_candidates.identifier_value = identifier_stats.identifier_value

),

{# An identifier with several candidates: each candidate's place in the tie-break. #}
ranked_candidates as (

    select
        *,
        row_number() over (
            partition by identifier_type, identifier_value
            order by evidence_rank asc, evidence_count desc, last_seen_at desc nulls last, customer_id asc
        ) as candidate_rank
    from candidate_stats
    where candidate_count > 1

),

{# The candidates of an identifier at its best evidence rank: the customers that evidence points to (an
    identifier's only candidate is its first and only top candidate). #}
top_candidates as (

    select
        {{ candidate_columns }},
        1 as candidate_rank,
        1 as top_candidate_count
    from candidate_stats
    where candidate_count = 1
    union all
    select
        {{ candidate_columns }},
        candidate_rank,
        count(*) over (partition by identifier_type, identifier_value) as top_candidate_count
    from ranked_candidates
    where evidence_rank = best_evidence_rank

),

{# The first in the tie-break is always at the best evidence rank, so it is a top candidate. #}
direct_resolved as (

    select
        *,
        top_candidate_count > 1 as is_shared,
        case evidence_rank when 1 then 'crm' when 2 then 'helpdesk' else 'contacts' end as evidence_source
    from top_candidates
    where candidate_rank = 1

),

unlinked_end_users as (

    select real_end_users.*
    from real_end_users
    left join customers
        on real_end_users.customer_id = customers.customer_id
    where customers.customer_id is null

),

{# Help-desk end-users without a CRM id: every customer their e-mail and phone hashes point to (at each key's best
    evidence rank), scored by how many of the user's keys match. More matching keys beat fewer; a key shared by
    several customers never decides alone; a tie between customers decides nothing. #}
end_user_keys as (

    select
        user_id,
        created_at,
        'email_hash' as identifier_type,
        email_hash as identifier_value
    from unlinked_end_users
    where email_hash is not null
    union all
    select
        user_id,
        created_at,
        'phone_hash' as identifier_type,
        phone_hash as identifier_value
    from unlinked_end_users
    where phone_hash is not null

),

end_user_scores as (

    select
        end_user_keys.user_id,
        top_candidates.customer_id,
        max(end_user_keys.created_at) as last_seen_at,
        count(distinct end_user_keys.identifier_type) as matched_keys,
        max(case when top_candidates.top_candidate_count = 1 then 1 else 0 end) as has_unshared_key,
        max(case when end_user_keys.identifier_type = 'email_hash' then 1 else 0 end) as has_email_match
    from end_user_keys
    inner join top_candidates
        on
            end_user_keys.identifier_type = top_candidates.identifier_type
            and end_user_keys.identifier_value = top_candidates.identifier_value
    group by
        end_user_keys.user_id,
        top_candidates.customer_id

),

end_user_eligible as (

    select
        *,
        max(matched_keys) over (partition by user_id) as best_matched_keys
    from end_user_scores
    where matched_keys >= 2 or has_unshared_key = 1

),

end_user_best as (

    select
        *,
        count(*) over (partition by user_id) as best_candidate_count
    from end_user_eligible
    where matched_keys = best_matched_keys

),

hash_matched_end_users as (

    select
        'helpdesk_user_id' as identifier_type,
        user_id as identifier_value,
        last_seen_at,
        4 as evidence_rank,
        cast(matched_keys as {{ dbt.type_bigint() }}) as evidence_count,
        1 as candidate_count,
        false as is_shared,
        customer_id,
        case
            when matched_keys >= 2 then 'helpdesk_email_and_phone_match'
            when has_email_match = 1 then 'helpdesk_email_match'
            else 'helpdesk_phone_match'
        end as evidence_source
    from end_user_best
    where best_candidate_count = 1

),

resolved as (

    select {{ resolved_columns | join(', ') }} from direct_resolved
    union all
    select {{ resolved_columns | join(', ') }} from hash_matched_end_users

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
        candidate_count > 1 as is_ambiguous,
        cast(is_shared as {{ dbt.type_boolean() }}) as is_shared
    from resolved

)

select * from final
