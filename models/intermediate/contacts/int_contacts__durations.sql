{#- Calendar and business-time durations of every contact: first response (K06/K06b), resolution (K07/K07b) and
    the two SLA clocks (K08/K09). Rules in _int_contacts__durations.yml. -#}
with contacts as (

    select * from {{ ref('int_contacts') }}

),

clocks as (

    select
        contact_id,
        queue_id,
        arrived_at,
        first_response_at,
        resolved_at,
        coalesce(first_response_at, ended_at, {{ contacts_as_of_at('contacts') }}) as first_response_clock_at,
        coalesce(resolved_at, ended_at, {{ contacts_as_of_at('contacts') }}) as resolution_clock_at
    from contacts

),

first_response_business as (

    {{ business_seconds('clocks', 'contact_id', 'queue_id', 'arrived_at', 'first_response_clock_at') }}

),

resolution_business as (

    {{ business_seconds('clocks', 'contact_id', 'queue_id', 'arrived_at', 'resolution_clock_at') }}

),

final as (

    select
        clocks.contact_id,
        clocks.first_response_clock_at,
        clocks.resolution_clock_at,
        {{ elapsed_seconds('clocks.arrived_at', 'clocks.first_response_at') }} as first_response_seconds,
        case
            when clocks.first_response_at is not null
                then cast(first_response_business.business_seconds as {{ type_double() }})
        end as first_response_business_seconds,
        {{ elapsed_seconds('clocks.arrived_at', 'clocks.resolved_at') }} as resolution_seconds,
        case
            when clocks.resolved_at is not null
                then cast(resolution_business.business_seconds as {{ type_double() }})
        end as resolution_business_seconds,
        {{ elapsed_seconds('clocks.arrived_at', 'clocks.first_response_clock_at') }}
            as first_response_clock_seconds,
        cast(first_response_business.business_seconds as {{ type_double() }})
            as first_response_clock_business_seconds,
        {{ elapsed_seconds('clocks.arrived_at', 'clocks.resolution_clock_at') }} as resolution_clock_seconds,
        cast(resolution_business.business_seconds as {{ type_double() }}) as resolution_clock_business_seconds
    from clocks
    left join first_response_business
        on clocks.contact_id = first_response_business.contact_id
    left join resolution_business
        on clocks.contact_id = resolution_business.contact_id

)

select * from final
