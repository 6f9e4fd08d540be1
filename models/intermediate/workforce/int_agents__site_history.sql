{#- One row per agent and period at one site: the time zone every workforce model reads local times in.
    Periods are local dates, the first open to the past and the last to the future. -#}

with islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

with_previous as (

    select
        agent_id,
        site,
        site_time_zone,
        island_start_date,
        lag({{ dbt.concat(["coalesce(site, '<null>')", "'|'", "coalesce(site_time_zone, '<null>')"]) }}) over (
            partition by agent_id order by island_start_date
        ) as previous_site_key,
        {{ dbt.concat(["coalesce(site, '<null>')", "'|'", "coalesce(site_time_zone, '<null>')"]) }} as site_key
    from islands

),

site_changes as (

    select
        agent_id,
        site,
        site_time_zone,
        island_start_date as site_start_date
    from with_previous
    where previous_site_key is null or previous_site_key <> site_key

),

bounded as (

    select
        agent_id,
        site,
        site_time_zone,
        site_start_date,
        row_number() over (partition by agent_id order by site_start_date) as site_period_number,
        lead(site_start_date) over (partition by agent_id order by site_start_date) as next_site_start_date
    from site_changes

),

final as (

    select
        agent_id,
        site,
        site_time_zone,
        site_period_number,
        site_start_date,
        case
            when site_period_number = 1 then cast('1900-01-01' as date)
            else site_start_date
        end as valid_from_date,
        coalesce(next_site_start_date, cast('9999-12-31' as date)) as valid_to_date
    from bounded

)

select * from final
