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

flagged as (

    {{ person_record_flags('renamed') }}

),

keyed as (

    select * from flagged
    where customer_id is not null

),

final as (

    {{ newest_versions('keyed', ['customer_id'], crm_customer_column_names() + ['is_test_account']) }}

)

select * from final
