{#- Agents no roster version knows (every agent when the centre has no workforce roster): one row per identifier
    a source's own data shows for an agent, built from that source: help-desk users with role agent or admin,
    telephony usernames (contact records and agent events) and chat agent ids. They become agents of unknown team
    (dim_agents), so a help desk or a phone system alone builds its agent KPIs. Rules in _int_agents__unrostered.yml.
    Telephony usernames and chat ids are built from names: the agent_id carries a salted hash of them, never the
    text. A help-desk agent's time zone is its user's (seeds/zendesk_time_zones.csv), else the default. -#}
{%- set default_time_zone = var('contacts_default_time_zone', 'Asia/Shanghai') -%}

with helpdesk_users as (

    select * from {{ ref('stg_helpdesk__users') }}

),

contact_records as (

    select * from {{ ref('stg_telephony__contact_records') }}

),

agent_events as (

    select * from {{ ref('stg_telephony__agent_events') }}

),

chat_sessions as (

    select * from {{ ref('stg_chat__sessions') }}

),

roster_islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

zendesk_time_zones as (

    select * from {{ ref('zendesk_time_zones') }}

),

known_iana_zones as (

    {#- a help-desk user's zone: a Zendesk name of the seed or one of its IANA zones; else none (the default) -#}
    select distinct iana_time_zone
    from zendesk_time_zones

),

helpdesk_user_zones as (

    select
        helpdesk_users.user_id,
        coalesce(by_name.iana_time_zone, by_iana.iana_time_zone) as time_zone
    from helpdesk_users
    left join zendesk_time_zones as by_name
        on helpdesk_users.time_zone = by_name.time_zone_name
    left join known_iana_zones as by_iana
        on helpdesk_users.time_zone = by_iana.iana_time_zone

),

helpdesk_agents as (

    select distinct
        'helpdesk_user_id' as identifier_type,
        user_id as identifier_value,
        'helpdesk' as source_system
    from helpdesk_users
    where user_role in ('agent', 'admin') and user_id is not null

),

telephony_usernames as (

    select agent_username from contact_records
    where agent_username is not null
    union all
    select agent_username from agent_events
    where agent_username is not null

),

telephony_agents as (

    select
        'telephony_username' as identifier_type,
        min(agent_username) as identifier_value,
        'telephony' as source_system
    from telephony_usernames
    group by lower(agent_username)

),

chat_agents as (

    select
        'chat_agent_id' as identifier_type,
        min(chat_agent_id) as identifier_value,
        'chat' as source_system
    from chat_sessions
    where chat_agent_id is not null
    group by lower(chat_agent_id)

),

source_agents as (

    select * from helpdesk_agents
    union all
    select * from telephony_agents
    union all
    select * from chat_agents

),

roster_identifiers as (

    select
        'helpdesk_user_id' as identifier_type,
        helpdesk_user_id as identifier_value
    from roster_islands
    where helpdesk_user_id is not null

    union all

    select
        'telephony_username' as identifier_type,
        lower(username) as identifier_value
    from roster_islands
    where username is not null

    union all

    select
        'chat_agent_id' as identifier_type,
        lower(chat_agent_id) as identifier_value
    from roster_islands
    where chat_agent_id is not null

),

unrostered as (

    select source_agents.*
    from source_agents
    left join roster_identifiers
        on
            source_agents.identifier_type = roster_identifiers.identifier_type
            and (
                case
                    when source_agents.identifier_type = 'helpdesk_user_id' then source_agents.identifier_value
                    else lower(source_agents.identifier_value)
                end
            ) = roster_identifiers.identifier_value
    where roster_identifiers.identifier_type is null

),

final as (

    select
        unrostered.identifier_type,
        unrostered.identifier_value,
        case
            when unrostered.identifier_type = 'helpdesk_user_id'
                then {{ dbt.concat(["'helpdesk:'", 'unrostered.identifier_value']) }}
            else {{ dbt.concat([
                'unrostered.source_system', "':'",
                dbt.safe_cast(dbt.right(hash_pii('unrostered.identifier_value'), 16), dbt.type_string())
            ]) }}
        end as agent_id,
        unrostered.source_system,
        cast(
            coalesce(helpdesk_user_zones.time_zone, '{{ default_time_zone }}') as {{ dbt.type_string() }}
        ) as site_time_zone
    from unrostered
    left join helpdesk_user_zones
        on
            unrostered.identifier_type = 'helpdesk_user_id'
            and unrostered.identifier_value = helpdesk_user_zones.user_id

)

select * from final
