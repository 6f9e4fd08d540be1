{#- Agents no roster version knows (every agent when the centre has no workforce roster): one row per identifier
    a source's own data shows for an agent, built from that source: help-desk users with role agent or admin,
    telephony usernames (contact records and agent events) and chat agent ids. They become agents of unknown team
    (dim_agents), so a help desk or a phone system alone builds its agent KPIs. Rules in _int_agents__unrostered.yml.
    Telephony usernames and chat ids are built from names: the agent_id carries a salted hash of them, never the
    text. -#}
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
        identifier_type,
        identifier_value,
        case
            when identifier_type = 'helpdesk_user_id'
                then {{ dbt.concat(["'helpdesk:'", 'identifier_value']) }}
            else {{ dbt.concat([
                'source_system', "':'", dbt.safe_cast(dbt.right(hash_pii('identifier_value'), 16), dbt.type_string())
            ]) }}
        end as agent_id,
        source_system,
        cast('{{ default_time_zone }}' as {{ dbt.type_string() }}) as site_time_zone
    from unrostered

)

select * from final
