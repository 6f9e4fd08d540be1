{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('helpdesk', 'ticket') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as ticket_id,
        {{ clean_text('created_at') }} as created_at_text,
        {{ clean_text('updated_at') }} as updated_at_text,
        {{ clean_text('subject') }} as subject,
        lower({{ clean_text('status') }}) as status,
        lower({{ clean_text('priority') }}) as priority,
        lower({{ clean_text('type') }}) as ticket_type,
        lower({{ clean_text('via_channel') }}) as via_channel,
        {{ account_scoped(clean_text('requester_id')) }} as requester_id,
        {{ account_scoped(clean_text('assignee_id')) }} as assignee_id,
        {{ account_scoped(clean_text('group_id')) }} as group_id,
        lower({{ clean_text('custom_issue_type') }}) as issue_type,
        {{ account_scoped(clean_text('brand_id')) }} as brand_id,
        {{ account_scoped(clean_text('organization_id')) }} as organization_id,
        {{ clean_text('_fivetran_synced') }} as synced_at_text,
        {{ clean_text('_fivetran_deleted') }} as deleted_text,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parsed_timestamps(['created_at', 'updated_at', 'synced_at']) }},
        {{ safe_to_boolean('deleted_text') }} as is_deleted_in_source,
        {{ redact_free_text('subject') }} as subject_redacted
    from renamed

),

flagged as (

    select
        *,
        {{ invalid_if_any_unparsed(['created_at', 'updated_at']) }} as has_invalid_timestamp,
        {#- deleted in Zendesk: Fivetran's _fivetran_deleted, or the status deleted; kept and flagged, never dropped -#}
        (coalesce(is_deleted_in_source, false) or coalesce(status = 'deleted', false)) as is_deleted
    from typed

),

keyed as (

    select * from flagged
    where ticket_id is not null

),

final as (

    {#- the record's own time; Fivetran's sync time breaks a tie of updated_at -#}
    {{ newest_versions('keyed', ['ticket_id'], [
            'ticket_id',
            'created_at',
            'updated_at',
            'subject_redacted',
            'status',
            'priority',
            'ticket_type',
            'via_channel',
            'requester_id',
            'assignee_id',
            'group_id',
            'issue_type',
            'brand_id',
            'organization_id',
            'synced_at',
            'is_deleted',
            'has_invalid_timestamp'
        ], record_order=['updated_at desc nulls last', 'synced_at desc nulls last']) }}

)

select * from final
