{#- Gaps and islands over the daily roster: one row per agent and run of consecutive roster rows with the same
    attributes, i.e. one agent version (the SCD type 2 history of dim_agents, derived from every landed roster day
    in one query). agent_key is the version key dbt's timestamp snapshot gave it (dbt_scd_id: md5 of agent_id and
    changed_at joined with '|', as dbt-core's default__snapshot_hash_arguments), so the keys of the facts did not
    change when the snapshot was replaced. -#}
{%- set tracked_columns = [
    'username', 'helpdesk_user_id', 'chat_agent_id', 'full_name_hash', 'email_hash', 'email_domain', 'team',
    'site', 'site_time_zone', 'supervisor_id', 'hire_date', 'employment_status',
] -%}

with roster as (

    select * from {{ ref('stg_workforce__agents') }}

),

fingerprinted as (

    select
        *,
        {{ dbt.hash(dbt.concat(tracked_attribute_parts(tracked_columns))) }} as attribute_hash
    from roster

),

with_previous as (

    select
        *,
        lag(attribute_hash) over (partition by agent_id order by snapshot_date) as previous_attribute_hash
    from fingerprinted

),

flagged as (

    select
        *,
        case
            when previous_attribute_hash is null or previous_attribute_hash <> attribute_hash then 1
            else 0
        end as is_island_start
    from with_previous

),

numbered as (

    select
        *,
        sum(is_island_start) over (
            partition by agent_id
            order by snapshot_date
            rows between unbounded preceding and current row
        ) as island_running_count
    from flagged

),

islands as (

    select
        agent_id,
        cast(island_running_count as {{ dbt.type_int() }}) as island_number,
        attribute_hash,
        {%- for column in tracked_columns %}
            {{ column }},
        {%- endfor %}
        min(snapshot_date) as island_start_date,
        max(snapshot_date) as island_last_seen_date,
        count(*) as roster_days
    from numbered
    group by
        agent_id,
        island_running_count,
        attribute_hash,
        {%- for column in tracked_columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}

),

{# dbt's snapshot scd id: md5(coalesce(cast(agent_id as text), '') || '|' || coalesce(cast(changed_at as text), '')) #}
final as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(cast(agent_id as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(cast(cast(island_start_date as " ~ dbt.type_timestamp() ~ ") as " ~ dbt.type_string() ~ "), '')",
        ])) }} as agent_key,
        agent_id,
        island_number,
        cast(island_start_date as {{ dbt.type_timestamp() }}) as changed_at,
        island_start_date,
        island_last_seen_date,
        lead(island_start_date) over (partition by agent_id order by island_start_date) as next_island_start_date,
        roster_days,
        attribute_hash,
        {%- for column in tracked_columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from islands

)

select * from final
