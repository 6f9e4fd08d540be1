{{
    config(
        materialized='incremental',
        unique_key='response_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('survey', 'responses') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ clean_text('response_id') }} as response_id,
        lower({{ clean_text('contact_channel') }}) as contact_channel,
        {{ clean_text('contact_ref') }} as contact_ref,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('sent_at') }} as sent_at_text,
        {{ clean_text('responded_at') }} as responded_at_text,
        {{ clean_text('csat') }} as csat_text,
        {{ clean_text('nps') }} as nps_text,
        {{ clean_text('ces') }} as ces_text,
        {{ redact_free_text(clean_text('comment')) }} as comment_text,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('sent_at_text') }} as sent_at,
        {{ parse_iso_timestamp('responded_at_text') }} as responded_at,
        {{ clean_score('csat_text', 1, 5) }} as csat,
        {{ clean_score('nps_text', 0, 10) }} as nps,
        {{ clean_score('ces_text', 1, 7) }} as ces
    from renamed

),

flagged as (

    select
        *,
        (responded_at_text is not null) as is_responded,
        (
            {{ invalid_if_unparsed('sent_at_text', 'sent_at') }}
            or {{ invalid_if_unparsed('responded_at_text', 'responded_at') }}
        ) as has_invalid_timestamp,
        (
            {{ invalid_if_unparsed('csat_text', 'csat') }}
            or {{ invalid_if_unparsed('nps_text', 'nps') }}
            or {{ invalid_if_unparsed('ces_text', 'ces') }}
        ) as has_invalid_score,
        {{ is_test_account(customer_id_expr='customer_id') }} as is_test_account
    from typed

),

keyed as (

    select * from flagged
    where response_id is not null

),

final as (

    {{ newest_versions('keyed', ['response_id'], [
            'response_id',
            'contact_channel',
            'contact_ref',
            'customer_id',
            'sent_at',
            'responded_at',
            'is_responded',
            'csat',
            'nps',
            'ces',
            'comment_text',
            'has_invalid_timestamp',
            'has_invalid_score',
            'is_test_account'
        ], record_order=['is_responded desc', 'responded_at desc nulls last']) }}

)

select * from final
