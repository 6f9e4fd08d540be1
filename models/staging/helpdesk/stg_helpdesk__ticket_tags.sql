{{
    config(
        materialized='incremental',
        unique_key='ticket_tag_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

{#- Zendesk ticket tags (Fivetran's ticket_tag table; the sample has none): one row per ticket and tag, tags lower
    case. The latest export wins; a tag Fivetran marks deleted is flagged, not dropped. -#}

with

source as (

    select * from {{ source('helpdesk', 'ticket_tag') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('ticket_id')) }} as ticket_id,
        lower({{ redact_free_text(clean_text('tag')) }}) as tag,
        {{ fivetran_sync_columns() }},
        {{ landing_columns() }}
    from source

),

keyed as (

    select
        *,
        {{ dbt.hash(dbt.concat(['ticket_id', "'|'", 'tag'])) }} as ticket_tag_id,
        {{ parse_iso_timestamp('synced_at_text') }} as synced_at
    from renamed
    where ticket_id is not null and tag is not null

),

final as (

    {{ newest_versions('keyed', ['ticket_tag_id'], [
            'ticket_tag_id',
            'ticket_id',
            'tag',
            'synced_at',
            'is_deleted'
        ], record_order=['synced_at desc nulls last']) }}

)

select * from final
