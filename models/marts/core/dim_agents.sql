{#- One row per agent version (SCD type 2): the conformed agent dimension, published as built in
    int_agents__versions (which the contacts read too). Rules in _core__dim_agents.yml. -#}

with agent_versions as (

    select * from {{ ref('int_agents__versions') }}

),

final as (

    select * from agent_versions

)

select * from final
