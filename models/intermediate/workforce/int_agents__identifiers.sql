{#- One row per (identifier_type, identifier_value): the workforce agent_id behind a telephony username, a
    help-desk user id or a chat-tool id, from every roster version; identifiers no roster holds come from the
    sources' own agents (int_agents__unrostered: agents of unknown team). Rules in _int_agents__identifiers.yml. -#}
{%- set identifier_columns = [
    ('telephony_username', 'username'),
    ('helpdesk_user_id', 'helpdesk_user_id'),
    ('chat_agent_id', 'chat_agent_id'),
] -%}

with islands as (

    select * from {{ ref('int_agents__roster_islands') }}

),

unrostered as (

    select * from {{ ref('int_agents__unrostered') }}

),

latest_roster_day as (

    select
        agent_id,
        max(island_last_seen_date) as agent_last_seen_date
    from islands
    group by agent_id

),

identifier_rows as (

    {%- for identifier_type, column_name in identifier_columns %}
        select
            '{{ identifier_type }}' as identifier_type,
            {{ column_name }} as identifier_value,
            agent_id,
            island_last_seen_date
        from islands
        where {{ column_name }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

held as (

    select
        identifier_type,
        identifier_value,
        agent_id,
        max(island_last_seen_date) as held_until_date
    from identifier_rows
    group by
        identifier_type,
        identifier_value,
        agent_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by identifier_type, identifier_value
            order by held_until_date desc, agent_id asc
        ) as holder_rank,
        count(*) over (partition by identifier_type, identifier_value) as candidate_agent_count
    from held

),

rostered as (

    select
        ranked.identifier_type,
        ranked.identifier_value,
        ranked.agent_id,
        ranked.held_until_date,
        ranked.held_until_date = latest_roster_day.agent_last_seen_date as is_current_identifier,
        ranked.candidate_agent_count,
        true as is_rostered
    from ranked
    inner join latest_roster_day
        on ranked.agent_id = latest_roster_day.agent_id
    where ranked.holder_rank = 1

),

final as (

    select * from rostered
    union all
    select
        identifier_type,
        identifier_value,
        agent_id,
        cast(null as date) as held_until_date,
        true as is_current_identifier,
        cast(1 as {{ dbt.type_bigint() }}) as candidate_agent_count,
        false as is_rostered
    from unrostered

)

select * from final
