{#- One row per queue with its channel, site, time zone, business hours and service targets: the conformed queue
    dimension, published as built in int_queues__with_targets (which the contacts read too). -#}

with queues as (

    select * from {{ ref('int_queues__with_targets') }}

),

final as (

    select * from queues

)

select * from final
