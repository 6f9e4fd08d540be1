{#- One row per agent and period at one site: the time zone every workforce model reads local times in.
    Periods are local dates, the first open to the past and the last to the future. An agent no roster knows
    (int_agents__unrostered) has one period of unknown site in the default time zone. -#}

with islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

unrostered as (

    select * from {{ ref('int_agents__unrostered') }}

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

rostered_periods as (

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

),

unrostered_periods as (

    select
        agent_id,
        cast(null as {{ dbt.type_string() }}) as site,
        site_time_zone,
        cast(1 as {{ dbt.type_bigint() }}) as site_period_number,
        cast('1900-01-01' as date) as site_start_date,
        cast('1900-01-01' as date) as valid_from_date,
        cast('9999-12-31' as date) as valid_to_date
    from unrostered

),

final as (

    select * from rostered_periods
    union all
    select * from unrostered_periods

)

select * from final
