{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('telephony', 'agent_events') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ clean_text('EventId') }} as event_id,
        {{ clean_text('Username') }} as agent_username,
        {{ clean_text('EventTimestamp') }} as event_timestamp,
        upper({{ clean_text('State') }}) as state,
        _source_file,
        _export_date,
        _landed_at,
        _row_number
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('event_timestamp') }} as event_at
    from renamed

),

flagged as (

    select
        *,
        {{ invalid_if_unparsed('event_timestamp', 'event_at') }} as has_invalid_timestamp
    from typed

),

keyed as (

    select * from flagged
    where event_id is not null

),

candidates as (

    {{ with_current_versions('keyed', ['event_id'], [
            'event_id',
            'agent_username',
            'event_at',
            'state',
            'has_invalid_timestamp',
            '_source_file',
            '_export_date',
            '_landed_at'
        ]) }}

),

ranked as (

    {{ rank_versions('candidates', ['event_id']) }}

),

final as (

    select
        event_id,
        agent_username,
        event_at,
        state,
        has_invalid_timestamp,
        versions_merged,
        _source_file,
        _export_date,
        _landed_at,
        _landed_watermark
    from ranked
    where version_rank = 1

)

select * from final
