{{
    config(
        materialized='incremental',
        unique_key='field_change_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('helpdesk', 'ticket_field_history') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('ticket_id')) }} as ticket_id,
        lower({{ clean_text('field_name') }}) as field_name,
        {#- an assignee or group changed to: an id of the account, like the ticket's own columns -#}
        case
            when lower({{ clean_text('field_name') }}) in ('assignee_id', 'group_id')
                then {{ account_scoped(clean_text('value')) }}
            else {{ clean_text('value') }}
        end as new_value,
        {{ clean_text('updated') }} as updated_text,
        {{ account_scoped(clean_text('user_id')) }} as changed_by_user_id,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ parse_iso_timestamp('updated_text') }} as changed_at
    from renamed

),

flagged as (

    select
        *,
        {{ invalid_if_unparsed('updated_text', 'changed_at') }} as has_invalid_timestamp,
        {#- the change's instant identifies it; an unparseable one falls back to its text -#}
        coalesce({{ dbt.safe_cast('changed_at', dbt.type_string()) }}, updated_text) as change_instant_key
    from typed

),

identified as (

    select
        *,
        {{ dbt.hash(dbt.concat(['ticket_id', "'|'", 'field_name', "'|'", 'change_instant_key'])) }} as field_change_id
    from flagged

),

keyed as (

    select * from identified
    where ticket_id is not null and field_name is not null and updated_text is not null

),

final as (

    {{ newest_versions('keyed', ['field_change_id'], [
            'field_change_id',
            'ticket_id',
            'field_name',
            'new_value',
            'changed_at',
            'changed_by_user_id',
            'has_invalid_timestamp'
        ]) }}

)

select * from final
