{{
    config(
        materialized='incremental',
        unique_key='rating_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

{#- Zendesk ticket satisfaction ratings (CSAT; the sample's surveys are the survey source instead). score is
    offered, unoffered, good or bad (lower case); is_good / is_bad are null until the customer rated. The newest
    version by updated_at wins, then Fivetran's sync time. The customer's comment keeps no contact details
    (redact_free_text). Deleted ratings are flagged, not dropped. -#}

with

source as (

    select * from {{ source('helpdesk', 'satisfaction_rating') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as rating_id,
        {{ account_scoped(clean_text('ticket_id')) }} as ticket_id,
        lower({{ clean_text('score') }}) as score,
        {{ account_scoped(clean_text('assignee_id')) }} as assignee_id,
        {{ account_scoped(clean_text('group_id')) }} as group_id,
        {{ account_scoped(clean_text('requester_id')) }} as requester_id,
        {{ redact_free_text(clean_text('comment')) }} as comment_redacted,
        {{ redact_free_text(clean_text('reason')) }} as reason,
        {{ clean_text('created_at') }} as created_at_text,
        {{ clean_text('updated_at') }} as updated_at_text,
        {{ fivetran_sync_columns() }},
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parsed_timestamps(['created_at', 'updated_at', 'synced_at']) }},
        case score when 'good' then true when 'bad' then false end as is_good
    from renamed

),

keyed as (

    select
        *,
        {{ invalid_if_any_unparsed(['created_at', 'updated_at']) }} as has_invalid_timestamp
    from typed
    where rating_id is not null

),

final as (

    {{ newest_versions('keyed', ['rating_id'], [
            'rating_id',
            'ticket_id',
            'score',
            'is_good',
            'assignee_id',
            'group_id',
            'requester_id',
            'comment_redacted',
            'reason',
            'created_at',
            'updated_at',
            'synced_at',
            'is_deleted',
            'has_invalid_timestamp'
        ], record_order=['updated_at desc nulls last', 'synced_at desc nulls last']) }}

)

select * from final
