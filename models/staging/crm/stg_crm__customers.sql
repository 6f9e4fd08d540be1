{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('crm', 'customers') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('created_at') }} as created_at_text,
        lower({{ clean_text('segment') }}) as segment,
        {{ redact_free_text(clean_text('region')) }} as region,
        {{ redact_free_text(clean_text('city')) }} as city,
        lower({{ clean_text('signup_source') }}) as signup_source,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('email') }} as email,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('created_at_text') }} as created_at,
        {{ normalize_phone_e164('phone') }} as phone_e164
    from renamed

),

flagged as (

    select
        *,
        {{ pii_derived_columns(email='email', phone_e164='phone_e164') }},
        {{ invalid_if_unparsed('phone', 'phone_e164') }} as has_invalid_phone,
        {{ invalid_if_unparsed('created_at_text', 'created_at') }} as has_invalid_timestamp,
        {{ is_test_account(customer_id_expr='customer_id', email_expr='email') }} as is_test_account
    from typed

),

keyed as (

    select * from flagged
    where customer_id is not null

),

final as (

    {{ newest_versions('keyed', ['customer_id'], [
            'customer_id',
            'created_at',
            'segment',
            'region',
            'city',
            'signup_source',
            'phone_hash',
            'email_hash',
            'email_domain',
            'has_invalid_phone',
            'has_invalid_timestamp',
            'is_test_account'
        ]) }}

)

select * from final
