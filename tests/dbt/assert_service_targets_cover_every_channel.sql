-- Every channel has exactly one default service-target row (empty queue_id), and a queue override row names the
-- queue's own channel.
with channels as (

    select * from {{ ref('channels') }}

),

service_targets as (

    select * from {{ ref('service_targets') }}

),

queues as (

    select * from {{ ref('queues') }}

),

default_counts as (

    select
        channels.channel,
        count(service_targets.channel) as default_rows
    from channels
    left join service_targets
        on
            channels.channel = service_targets.channel
            and service_targets.queue_id is null
    group by channels.channel

),

missing_or_duplicate_defaults as (

    select
        channel,
        'channel has ' || cast(default_rows as {{ dbt.type_string() }}) || ' default rows' as violation
    from default_counts
    where default_rows <> 1

),

override_channel_mismatches as (

    select
        service_targets.channel,
        'override for queue ' || service_targets.queue_id || ' names another channel' as violation
    from service_targets
    inner join queues
        on service_targets.queue_id = queues.queue_id
    where service_targets.channel <> queues.channel

),

final as (

    select * from missing_or_duplicate_defaults
    union all
    select * from override_channel_mismatches

)

select * from final
