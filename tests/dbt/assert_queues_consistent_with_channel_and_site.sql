-- A queue's source system is its channel's source system, and all queues of a site share one time zone (holidays
-- and local dates are per site).
with queues as (

    select * from {{ ref('queues') }}

),

channels as (

    select * from {{ ref('channels') }}

),

source_system_mismatches as (

    select
        queues.queue_id as subject,
        'source_system ' || queues.source_system || ' differs from channel ' || channels.source_system as violation
    from queues
    inner join channels
        on queues.channel = channels.channel
    where queues.source_system <> channels.source_system

),

site_time_zones as (

    select
        site,
        count(distinct time_zone) as time_zone_count
    from queues
    group by site

),

sites_with_several_time_zones as (

    select
        site as subject,
        'site has several time zones' as violation
    from site_time_zones
    where time_zone_count > 1

),

final as (

    select * from source_system_mismatches
    union all
    select * from sites_with_several_time_zones

)

select * from final
