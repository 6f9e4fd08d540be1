{#- One row per agent version (SCD type 2), published as dim_agents and read by the contacts: the roster's islands
    (int_agents__roster_islands), plus one row per agent no roster knows (agents of unknown team built from the
    sources' own users: int_agents__unrostered). Rules in _core__dim_agents.yml. -#}

with roster_versions as (

    select * from {{ ref('int_agents__roster_islands') }}

),

unrostered as (

    select * from {{ ref('int_agents__unrostered') }}

),

versions as (

    select
        agent_key,
        agent_id,
        team,
        site,
        site_time_zone,
        supervisor_id,
        hire_date,
        employment_status,
        helpdesk_user_id,
        chat_agent_id,
        full_name_hash,
        email_domain,
        cast(changed_at as date) as valid_from_date,
        {{ local_to_utc('cast(cast(changed_at as date) as ' ~ dbt.type_timestamp() ~ ')', 'site_time_zone') }}
            as valid_from
    from roster_versions

),

bounded as (

    select
        *,
        lead(valid_from) over (partition by agent_id order by valid_from) as next_valid_from,
        lead(valid_from_date) over (partition by agent_id order by valid_from) as next_valid_from_date,
        row_number() over (partition by agent_id order by valid_from) as version_number
    from versions

),

tenure as (

    select
        *,
        case
            when hire_date is null then 'unknown'
            when valid_from_date < {{ dbt.dateadd('month', 3, 'hire_date') }} then '<3 months'
            when valid_from_date < {{ dbt.dateadd('month', 12, 'hire_date') }} then '3-12 months'
            when valid_from_date < {{ dbt.dateadd('month', 24, 'hire_date') }} then '1-2 years'
            else '2+ years'
        end as tenure_band
    from bounded

),

rostered_versions as (

    select
        agent_key,
        agent_id,
        version_number,
        team,
        site,
        site_time_zone,
        supervisor_id,
        hire_date,
        tenure_band,
        employment_status,
        employment_status = 'active' as is_active,
        helpdesk_user_id,
        chat_agent_id,
        full_name_hash,
        email_domain,
        valid_from,
        coalesce(next_valid_from, cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }})) as valid_to,
        valid_from_date,
        coalesce(next_valid_from_date, cast('9999-12-31' as date)) as valid_to_date,
        next_valid_from is null as is_current,
        true as is_rostered
    from tenure

),

{# An agent no roster knows: one version valid for all time, team and site unknown (null), the default time zone. #}
unrostered_versions as (

    select
        {{ dbt.hash('agent_id') }} as agent_key,
        agent_id,
        cast(1 as {{ dbt.type_bigint() }}) as version_number,
        cast(null as {{ dbt.type_string() }}) as team,
        cast(null as {{ dbt.type_string() }}) as site,
        site_time_zone,
        cast(null as {{ dbt.type_string() }}) as supervisor_id,
        cast(null as date) as hire_date,
        'unknown' as tenure_band,
        cast(null as {{ dbt.type_string() }}) as employment_status,
        cast(null as {{ dbt.type_boolean() }}) as is_active,
        case when identifier_type = 'helpdesk_user_id' then identifier_value end as helpdesk_user_id,
        cast(null as {{ dbt.type_string() }}) as chat_agent_id,
        cast(null as {{ dbt.type_string() }}) as full_name_hash,
        cast(null as {{ dbt.type_string() }}) as email_domain,
        cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }}) as valid_from,
        cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }}) as valid_to,
        cast('1900-01-01' as date) as valid_from_date,
        cast('9999-12-31' as date) as valid_to_date,
        true as is_current,
        false as is_rostered
    from unrostered

),

final as (

    select * from rostered_versions
    union all
    select * from unrostered_versions

)

select * from final
