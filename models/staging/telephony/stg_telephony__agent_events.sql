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

{# Amazon Connect's real agent event stream: the canonical state of each snapshot (mapping in the model's docs) #}
snapshots as (

    select
        *,
        {{ agent_snapshot_state('CurrentAgentSnapshot') }} as current_state,
        {{ agent_snapshot_on_hold('CurrentAgentSnapshot') }} as current_on_hold,
        {{ agent_snapshot_state('PreviousAgentSnapshot') }} as previous_state,
        {{ agent_snapshot_on_hold('PreviousAgentSnapshot') }} as previous_on_hold,
        upper({{ clean_text('EventType') }}) as event_type_text,
        {{ json_extract_text('CurrentAgentSnapshot', "'$.Configuration.Username'") }} as snapshot_username,
        {{ json_extract_text('CurrentAgentSnapshot', "'$.AgentStatus.Name'") }} as snapshot_status_name
    from source

),

renamed as (

    select
        {{ account_scoped(clean_text('EventId')) }} as event_id,
        {{ account_scoped('coalesce(' ~ clean_text('Username') ~ ', ' ~ clean_text('snapshot_username') ~ ')') }}
            as agent_username,
        {{ clean_text('EventTimestamp') }} as event_timestamp,
        coalesce(
            upper({{ clean_text('State') }}),
            case
                when event_type_text in ('LOGIN', 'LOGOUT') then event_type_text
                else current_state
            end
        ) as state,
        event_type_text as event_type,
        {{ clean_text('snapshot_status_name') }} as agent_status_name,
        coalesce(current_on_hold, false) as is_on_hold,
        {# a record of the real stream is a state change when it logs in or out, or its snapshot's state (or hold)
            differs from the previous snapshot's; a heart beat without a previous snapshot, or a configuration change,
            carries no new state. A sample event (State) always is one. #}
        (
            {{ clean_text('State') }} is not null
            or CurrentAgentSnapshot is null
            or event_type_text in ('LOGIN', 'LOGOUT')
            or (PreviousAgentSnapshot is null and coalesce(event_type_text, '') <> 'HEART_BEAT')
            or (
                PreviousAgentSnapshot is not null
                and (
                    current_state is distinct from previous_state
                    or current_on_hold is distinct from previous_on_hold
                )
            )
        ) as is_state_change,
        {{ landing_columns() }}
    from snapshots

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('event_timestamp') }} as event_at
    from renamed
    where is_state_change

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

final as (

    {{ newest_versions('keyed', ['event_id'], [
            'event_id',
            'agent_username',
            'event_at',
            'state',
            'event_type',
            'agent_status_name',
            'is_on_hold',
            'has_invalid_timestamp'
        ]) }}

)

select * from final
