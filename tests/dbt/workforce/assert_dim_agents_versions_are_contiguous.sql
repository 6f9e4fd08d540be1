{#- Each agent's versions tile time: valid_from < valid_to, each version ends where the next begins, exactly one
    current version, and it ends 9999-12-31. -#}

with agents as (

    select * from {{ ref('dim_agents') }}

),

with_next as (

    select
        agent_id,
        agent_key,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by agent_id order by valid_from) as next_valid_from
    from agents

),

version_failures as (

    select
        agent_id,
        agent_key,
        'version is empty or does not end where the next begins' as failure
    from with_next
    where
        valid_to <= valid_from
        or (next_valid_from is not null and valid_to <> next_valid_from)
        or (
            next_valid_from is null
            and (not is_current or valid_to <> cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }}))
        )
        or (next_valid_from is not null and is_current)

),

current_counts as (

    select
        agent_id,
        sum(case when is_current then 1 else 0 end) as current_versions
    from agents
    group by agent_id

),

current_failures as (

    select
        agent_id,
        cast(null as {{ dbt.type_string() }}) as agent_key,
        'not exactly one current version' as failure
    from current_counts
    where current_versions <> 1

),

final as (

    select * from version_failures
    union all
    select * from current_failures

)

select * from final
