{#- The snapshot holds every roster change: one dim_agents version per island of int_agents__roster_islands (same
    agent, same first day, same team). Fails when the snapshot was not replayed over the landed roster days
    (src/ccw/snapshots.py) or a daily run was missed: a warning, the history is still usable but coarser. -#}
{{ config(severity='warn') }}

with all_agents as (

    select * from {{ ref('dim_agents') }}

),

{# agents no roster knows (is_rostered false) have no roster history to match #}
agents as (

    select * from all_agents
    where is_rostered

),

islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

final as (

    select
        coalesce(agents.agent_id, islands.agent_id) as agent_id,
        coalesce(agents.valid_from_date, islands.island_start_date) as version_date,
        case when agents.agent_id is null then 'roster change missing from dim_agents'
            else 'dim_agents version not in the roster' end as failure
    from agents
    full outer join islands
        on
            agents.agent_id = islands.agent_id
            and agents.valid_from_date = islands.island_start_date
    where agents.agent_id is null or islands.agent_id is null or agents.team <> islands.team

)

select * from final
