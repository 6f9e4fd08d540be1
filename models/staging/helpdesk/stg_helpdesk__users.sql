{{
    config(
        materialized='incremental',
        unique_key='user_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('helpdesk', 'user') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as user_id,
        {{ clean_text('name') }} as full_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('phone') }} as phone,
        lower({{ clean_text('role') }}) as user_role,
        {{ clean_text('external_id') }} as customer_id,
        {{ clean_text('created_at') }} as created_at_text,
        {#- Fivetran's iana_time_zone when exported (time_zone holds Zendesk's display name there) -#}
        coalesce({{ clean_text('iana_time_zone') }}, {{ clean_text('time_zone') }}) as time_zone,
        {{ account_scoped(clean_text('organization_id')) }} as organization_id,
        {{ fivetran_deleted() }} as is_deleted,
        {{ landing_columns() }}
    from source

),

flagged as (

    {{ person_record_flags('renamed', full_name='full_name') }}

),

keyed as (

    select * from flagged
    where user_id is not null

),

final as (

    {{ newest_versions('keyed', ['user_id'], [
            'user_id',
            'user_role',
            'customer_id',
            'full_name_hash',
            'email_hash',
            'email_domain',
            'phone_hash',
            'created_at',
            'time_zone',
            'has_invalid_phone',
            'has_invalid_timestamp',
            'is_test_account',
            'organization_id',
            'is_deleted'
        ]) }}

)

select * from final
