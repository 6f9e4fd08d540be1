{#- Each agent's roster row as of var('roster_as_of'), else the environment variable CCW_ROSTER_AS_OF (default:
    the latest roster day), the input of the snp_workforce__agents snapshot. Ephemeral on purpose: the date is
    compiled into the snapshot's own query, so `CCW_ROSTER_AS_OF=2026-10-12 dbt snapshot` sees the roster of that
    day (a view would keep the date of the run that created it). The replay (src/ccw/snapshots.py) uses the
    environment variable: a changed env var re-parses only this file, a changed --vars the whole project. -#}
{%- set roster_as_of = var('roster_as_of', env_var('CCW_ROSTER_AS_OF', '')) or none -%}
{{ config(materialized='ephemeral') }}

with islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

known_by_then as (

    select * from islands
    {%- if roster_as_of is not none %}
    where island_start_date <= cast('{{ roster_as_of }}' as date)
    {%- endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by agent_id order by island_start_date desc) as recency_rank
    from known_by_then

),

final as (

    select
        agent_id,
        changed_at,
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
        attribute_hash
    from ranked
    where recency_rank = 1

)

select * from final
