with

source as (

    select * from {{ source('telephony', 'agent_events') }}

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

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by _export_date desc, _landed_at desc, _row_number desc
        ) as version_rank,
        count(*) over (partition by event_id) as versions_merged
    from keyed

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
        _landed_at
    from ranked
    where version_rank = 1

)

select * from final
