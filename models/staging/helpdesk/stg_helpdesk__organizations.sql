{{
    config(
        materialized='incremental',
        unique_key='organization_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

{#- Zendesk organizations (Fivetran's organization table; the sample has none). The newest version by updated_at
    wins, then Fivetran's sync time. Names keep no contact details (redact_free_text); notes and details are not
    read. Deleted organizations are flagged, not dropped. -#}

with

source as (

    select * from {{ source('helpdesk', 'organization') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as organization_id,
        {{ redact_free_text(clean_text('name')) }} as organization_name,
        {{ clean_text('created_at') }} as created_at_text,
        {{ clean_text('updated_at') }} as updated_at_text,
        {{ fivetran_sync_columns() }},
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parsed_timestamps(['created_at', 'updated_at', 'synced_at']) }}
    from renamed

),

keyed as (

    select
        *,
        {{ invalid_if_any_unparsed(['created_at', 'updated_at']) }} as has_invalid_timestamp
    from typed
    where organization_id is not null

),

final as (

    {{ newest_versions('keyed', ['organization_id'], [
            'organization_id',
            'organization_name',
            'created_at',
            'updated_at',
            'synced_at',
            'is_deleted',
            'has_invalid_timestamp'
        ], record_order=['updated_at desc nulls last', 'synced_at desc nulls last']) }}

)

select * from final
