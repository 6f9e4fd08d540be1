{#- The business_seconds macro and the time-zone macros applied to the worked examples: one row per example with
    the local times, the calendar and business durations and whether the business duration is the expected
    one. Also the reference for calling business_seconds from a fact model. -#}
with example_intervals as (

    select * from {{ ref('int_business_hours__example_intervals') }}

),

queues as (

    select * from {{ ref('queues') }}

),

business as (

    {{ business_seconds('example_intervals', 'example_id', 'queue_id', 'start_at', 'end_at') }}

),

final as (

    select
        example_intervals.example_id,
        example_intervals.queue_id,
        queues.time_zone,
        example_intervals.start_at,
        example_intervals.end_at,
        {{ utc_to_local('example_intervals.start_at', 'queues.time_zone') }} as start_at_local,
        {{ utc_to_local('example_intervals.end_at', 'queues.time_zone') }} as end_at_local,
        cast(
            {{ dbt.datediff('example_intervals.start_at', 'example_intervals.end_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as calendar_seconds,
        business.business_seconds,
        example_intervals.expected_business_seconds,
        (business.business_seconds is not distinct from example_intervals.expected_business_seconds)
            as is_as_expected,
        example_intervals.description
    from example_intervals
    left join business
        on example_intervals.example_id = business.example_id
    left join queues
        on example_intervals.queue_id = queues.queue_id

)

select * from final
