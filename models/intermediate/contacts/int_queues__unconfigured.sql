{#- Queues the contacts name that seeds/queues.csv does not configure (every queue of a centre that has not
    configured its queues yet): one row per telephony queue name and chat department, named by
    unconfigured_queue_id. They become queues of their own (int_queues__with_targets, dim_queues: is_configured
    false) with their channel's default service targets, no business hours and the default time zone, so a phone
    system or a chat tool alone builds its service KPIs. A help-desk group needs none: its ticket takes its
    channel's default queue (int_tickets__tickets). Rules in _int_queues__unconfigured.yml. -#}
{%- set default_time_zone = var('contacts_default_time_zone', 'Asia/Shanghai') -%}

with call_legs as (

    select * from {{ ref('int_contacts__call_legs') }}

),

chats as (

    select * from {{ ref('int_contacts__chats') }}

),

configured as (

    select * from {{ ref('queues') }}

),

named as (

    select distinct
        'telephony' as source_system,
        'phone' as channel,
        queue_ref as source_queue_ref,
        queue_id
    from call_legs
    where queue_ref is not null

    union all

    {# a chat contact keeps no department: the part of its unconfigured queue_id after `chat:` #}
    select distinct
        'chat' as source_system,
        'chat' as channel,
        substring(queue_id, {{ 'chat:' | length + 1 }}) as source_queue_ref,
        queue_id
    from chats
    where queue_id like 'chat:%'

),

unconfigured as (

    select named.*
    from named
    left join configured
        on named.queue_id = configured.queue_id
    where configured.queue_id is null

),

final as (

    select
        cast(queue_id as {{ dbt.type_string() }}) as queue_id,
        cast(source_queue_ref as {{ dbt.type_string() }}) as queue_name,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as site,
        cast('{{ default_time_zone }}' as {{ dbt.type_string() }}) as time_zone,
        cast(null as {{ dbt.type_string() }}) as business_hours_schedule,
        cast(source_system as {{ dbt.type_string() }}) as source_system,
        cast(source_queue_ref as {{ dbt.type_string() }}) as source_queue_ref
    from unconfigured

)

select * from final
