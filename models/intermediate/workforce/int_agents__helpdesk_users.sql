{#- The help-desk users who are agents: one row per help-desk user id with the workforce agent it maps to
    (int_agents__identifiers' helpdesk_user_id rows). The ticket models read agents here: assignees, comment
    authors, handling users. Rules in _int_agents__helpdesk_users.yml. -#}
{{ config(materialized='view') }}

with agent_identifiers as (

    select * from {{ ref('int_agents__identifiers') }}

),

final as (

    select
        identifier_value as helpdesk_user_id,
        agent_id
    from agent_identifiers
    where identifier_type = 'helpdesk_user_id'

)

select * from final
