with

source as (

    select * from {{ source('workforce', 'agents') }}

),

renamed as (

    select
        {{ clean_text('agent_id') }} as agent_id,
        _export_date as snapshot_date,
        {{ clean_text('username') }} as username,
        {{ clean_text('helpdesk_user_id') }} as helpdesk_user_id,
        {{ clean_text('chat_agent_id') }} as chat_agent_id,
        {{ clean_text('full_name') }} as full_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('team') }} as team,
        lower({{ clean_text('site') }}) as site,
        {{ clean_text('site_time_zone') }} as site_time_zone,
        {{ clean_text('supervisor_id') }} as supervisor_id,
        {{ clean_text('hire_date') }} as hire_date_text,
        lower({{ clean_text('employment_status') }}) as employment_status,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ safe_to_date('hire_date_text') }} as hire_date
    from renamed

),

flagged as (

    select
        *,
        {{ pii_derived_columns(full_name='full_name', email='email') }},
        {{ invalid_if_unparsed('hire_date_text', 'hire_date') }} as has_invalid_timestamp
    from typed

),

keyed as (

    select * from flagged
    where agent_id is not null and snapshot_date is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by agent_id, snapshot_date
            order by _landed_at desc, _row_number desc
        ) as version_rank,
        count(*) over (partition by agent_id, snapshot_date) as versions_merged
    from keyed

),

final as (

    select
        agent_id,
        snapshot_date,
        username,
        helpdesk_user_id,
        chat_agent_id,
        full_name_hash,
        email_hash,
        email_domain,
        team,
        site,
        site_time_zone,
        supervisor_id,
        hire_date,
        employment_status,
        has_invalid_timestamp,
        versions_merged,
        _source_file,
        _export_date,
        _landed_at
    from ranked
    where version_rank = 1

)

select * from final
