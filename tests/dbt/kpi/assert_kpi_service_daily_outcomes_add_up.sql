{#- Per day x channel x queue: every offered contact has exactly one outcome (offered = answered + abandoned +
    offered_other_outcome), subsets stay within their sets (short abandons within abandons, answered within SL
    within answered, pending + counted FCR within handled), and every contact is offered or counted apart
    (contacts >= offered + ivr_contained). Any row returned fails. -#}
with daily as (

    select * from {{ ref('kpi_service_daily') }}

),

final as (

    select *
    from daily
    where
        offered <> answered + abandoned + offered_other_outcome
        or short_abandoned > abandoned
        or answered_within_sl > answered
        or fcr_denominator + fcr_pending > answered
        or handled_with_handle_time > answered
        or contacts < offered + ivr_contained
        or sl_denominator <> offered - short_abandoned
        or surveys_responded > surveys_sent

)

select * from final
