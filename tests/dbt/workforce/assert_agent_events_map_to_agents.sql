{#- Agent events that cannot be placed on an agent's timeline: a timestamp but a username that no roster ever
    showed. int_agents__state_intervals leaves them out; this test counts them (warning, not an error: a
    username may appear in the event stream before the roster lists the agent). -#}
{{ config(severity='warn') }}

with agent_events as (

    select * from {{ ref('stg_telephony__agent_events') }}

),

usernames as (

    select * from {{ ref('int_agents__identifiers') }}
    where identifier_type = 'telephony_username'

),

unmapped as (

    select
        agent_events.agent_username,
        count(*) as unmapped_events
    from agent_events
    left join usernames
        on lower(agent_events.agent_username) = lower(usernames.identifier_value)
    where agent_events.event_at is not null and usernames.agent_id is null
    group by agent_events.agent_username

),

final as (

    select * from unmapped

)

select * from final
