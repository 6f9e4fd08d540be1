{{
    config(
        materialized='incremental',
        unique_key='comment_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('helpdesk', 'ticket_comment') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as comment_id,
        {{ account_scoped(clean_text('ticket_id')) }} as ticket_id,
        {{ account_scoped(clean_text('user_id')) }} as author_user_id,
        {{ clean_text('created') }} as created_text,
        {{ clean_text('public') }} as public_text,
        {{ clean_text('body') }} as body,
        {{ fivetran_deleted() }} as is_deleted,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('created_text') }} as created_at,
        {{ safe_to_boolean('public_text') }} as is_public,
        {{ redact_free_text('body') }} as body_redacted,
        coalesce(length(body), 0) as body_length
    from renamed

),

flagged as (

    select
        *,
        {{ invalid_if_unparsed('created_text', 'created_at') }} as has_invalid_timestamp,
        {{ invalid_if_unparsed('public_text', 'is_public') }} as has_invalid_value
    from typed

),

keyed as (

    select * from flagged
    where comment_id is not null

),

final as (

    {{ newest_versions('keyed', ['comment_id'], [
            'comment_id',
            'ticket_id',
            'author_user_id',
            'created_at',
            'is_public',
            'body_redacted',
            'body_length',
            'has_invalid_timestamp',
            'has_invalid_value',
            'is_deleted'
        ]) }}

)

select * from final
