{{
    config(
        materialized='incremental',
        unique_key='brand_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

{#- Zendesk brands (Fivetran's brand table; the sample has none): an account's customer-facing identities. The
    latest export wins. Deleted brands are flagged, not dropped. -#}

with

source as (

    select * from {{ source('helpdesk', 'brand') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as brand_id,
        {{ redact_free_text(clean_text('name')) }} as brand_name,
        {{ redact_url(clean_text('brand_url')) }} as brand_url,
        {{ clean_text('subdomain') }} as subdomain,
        {{ safe_to_boolean(clean_text('active')) }} as is_active,
        {{ safe_to_boolean(clean_text('"default"')) }} as is_default,
        {{ fivetran_deleted() }} as is_deleted,
        {{ landing_columns() }}
    from source

),

keyed as (

    select * from renamed
    where brand_id is not null

),

final as (

    {{ newest_versions('keyed', ['brand_id'], [
            'brand_id',
            'brand_name',
            'brand_url',
            'subdomain',
            'is_active',
            'is_default',
            'is_deleted'
        ]) }}

)

select * from final
