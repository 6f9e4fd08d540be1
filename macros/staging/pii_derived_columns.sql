{#- The harmless columns a staging model derives from a record's contact details, under the names every model gives
    them: full_name_hash, email_hash and email_domain, phone_hash (hash_pii, email_domain). Name the columns the model
    has; a detail left out (none) gives no column. The phone is the one normalised to E.164 in the typed step
    (normalize_phone_e164); flagging a phone that did not normalise (has_invalid_phone) stays with the model. -#}
{% macro pii_derived_columns(full_name=none, email=none, phone_e164=none) -%}
    {%- set columns = [] -%}
    {%- if full_name is not none -%}
        {%- do columns.append(hash_pii(full_name) ~ ' as full_name_hash') -%}
    {%- endif -%}
    {%- if email is not none -%}
        {%- do columns.append(hash_pii(email) ~ ' as email_hash') -%}
        {%- do columns.append(email_domain(email) ~ ' as email_domain') -%}
    {%- endif -%}
    {%- if phone_e164 is not none -%}
        {%- do columns.append(hash_pii(phone_e164) ~ ' as phone_hash') -%}
    {%- endif -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}


{#- A person's record, a CRM customer or a help-desk user, typed and flagged by the same rules, so that a customer and
    a help-desk requester are read alike: `renamed` (the model's renamed step) with created_at parsed and the phone
    normalised to E.164, the contact details' derived columns (pii_derived_columns: the full name's hash when the
    record has one), has_invalid_phone, has_invalid_timestamp and is_test_account. -#}
{% macro person_record_flags(renamed, full_name=none) -%}
    select
        *,
        {{ pii_derived_columns(full_name=full_name, email='email', phone_e164='phone_e164') }},
        {{ invalid_if_unparsed('phone', 'phone_e164') }} as has_invalid_phone,
        {{ invalid_if_unparsed('created_at_text', 'created_at') }} as has_invalid_timestamp,
        {{ is_test_account(customer_id_expr='customer_id', email_expr='email') }} as is_test_account
    from (
        select
            *,
            {{ parse_iso_timestamp('created_at_text') }} as created_at,
            {{ normalize_phone_e164('phone') }} as phone_e164
        from {{ renamed }}
    ) as typed
{%- endmacro %}
