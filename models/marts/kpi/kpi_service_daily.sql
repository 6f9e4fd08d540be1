{#- Service KPIs per local date x channel x queue (K01-K11, K16-K27): summed numerators and denominators and the
    ratios computed from them. Definitions in _kpi_service_daily.yml. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

completeness as (

    select distinct
        date_day,
        is_complete_day
    from {{ ref('data_completeness_daily') }}

),

classified as (

    select
        *,
        {{ is_handled() }} as is_handled,
        channel in ('email', 'web_form') as is_ticket
    from contacts

),

contact_daily as (

    select
        arrived_date_local as date_day,
        channel,
        queue_id,
        count(*) as contacts,
        {{ count_where('is_offered') }} as offered,
        {{ count_where('is_handled') }} as answered,
        {{ count_where('is_offered and is_abandoned') }} as abandoned,
        {{ count_where('is_offered and is_abandoned and is_short_abandon') }} as short_abandoned,
        {{ count_where('is_offered and not is_handled and not coalesce(is_abandoned, false)') }}
            as offered_other_outcome,
        {{ count_where('is_ivr_contained') }} as ivr_contained,
        {{ count_where('is_offered and is_callback') }} as callbacks,
        {{ count_where('is_offered and is_within_service_level') }} as answered_within_sl,
        {{ sum_where('wait_seconds', 'is_handled') }} as sum_wait_seconds_answered,
        {{ count_where('is_handled and wait_seconds is not null') }} as answered_with_wait,
        {{ duration_aggregates('first_response') }},
        {{ duration_aggregates('first_response_business') }},
        {{ duration_aggregates('resolution') }},
        {{ duration_aggregates('resolution_business') }},
        {{ count_where('has_first_response_target') }} as sla_first_response_contacts,
        {{ count_where('has_first_response_target and is_first_response_breached') }} as sla_first_response_breached,
        {{ count_where('has_resolution_target') }} as sla_resolution_contacts,
        {{ count_where('has_resolution_target and is_resolution_breached') }} as sla_resolution_breached,
        {{ count_where('is_handled and handle_seconds is not null') }} as handled_with_handle_time,
        {{ sum_where('handle_seconds', 'is_handled') }} as sum_handle_seconds,
        {{ sum_where('talk_seconds', 'is_handled and handle_seconds is not null') }} as sum_talk_seconds,
        {{ sum_where('hold_seconds', 'is_handled and handle_seconds is not null') }} as sum_hold_seconds,
        {{ sum_where('acw_seconds', 'is_handled and handle_seconds is not null') }} as sum_acw_seconds,
        {{ count_where('is_handled and transfer_count > 0') }} as transferred,
        {{ count_where("is_handled and fcr_status = 'resolved_first_contact'") }} as fcr_resolved_first_contact,
        {{ count_where(
            "is_handled and fcr_status in ('resolved_first_contact', 'repeat_contact', 'unresolved')"
        ) }} as fcr_denominator,
        {{ count_where("is_handled and fcr_status = 'pending'") }} as fcr_pending,
        {{ count_where("is_ticket and is_resolved") }} as tickets_solved,
        {{ count_where("is_ticket and is_resolved and reopen_count > 0") }} as tickets_reopened,
        {{ count_where("is_ticket and is_resolved and agent_replies = 1") }} as tickets_one_touch,
        {{ count_where('is_handled and is_resolved') }} as resolved,
        {{ count_where('has_known_customer and is_repeat_contact') }} as repeat_contacts,
        {{ count_where('has_known_customer') }} as known_customer_contacts
    from classified
    group by
        arrived_date_local,
        channel,
        queue_id

),

surveyed_contacts as (

    select
        contacts.arrived_date_local as date_day,
        contacts.channel,
        contacts.queue_id,
        survey_responses.is_responded,
        survey_responses.csat,
        survey_responses.nps,
        survey_responses.ces,
        survey_responses.is_csat_top2,
        survey_responses.is_nps_promoter,
        survey_responses.is_nps_detractor,
        survey_responses.is_negative_feedback
    from survey_responses
    inner join contacts
        on survey_responses.contact_id = contacts.contact_id

),

survey_daily as (

    select
        date_day,
        channel,
        queue_id,
        count(*) as surveys_sent,
        {{ count_where('is_responded') }} as surveys_responded,
        {{ csat_aggregates() }},
        {{ count_where('is_responded and is_negative_feedback') }} as negative_responses,
        {{ count_where('is_responded and is_nps_promoter') }} as nps_promoters,
        {{ count_where('is_responded and is_nps_detractor') }} as nps_detractors,
        {{ count_where('is_responded and nps is not null') }} as nps_responses,
        {{ sum_where('ces', 'is_responded') }} as ces_sum,
        {{ count_where('is_responded and ces is not null') }} as ces_responses
    from surveyed_contacts
    group by
        date_day,
        channel,
        queue_id

),

joined as (

    select
        contact_daily.*,
        coalesce(survey_daily.surveys_sent, 0) as surveys_sent,
        coalesce(survey_daily.surveys_responded, 0) as surveys_responded,
        {{ csat_carried('survey_daily') }},
        coalesce(survey_daily.negative_responses, 0) as negative_responses,
        coalesce(survey_daily.nps_promoters, 0) as nps_promoters,
        coalesce(survey_daily.nps_detractors, 0) as nps_detractors,
        coalesce(survey_daily.nps_responses, 0) as nps_responses,
        survey_daily.ces_sum,
        coalesce(survey_daily.ces_responses, 0) as ces_responses
    from contact_daily
    left join survey_daily
        on
            contact_daily.date_day = survey_daily.date_day
            and contact_daily.channel = survey_daily.channel
            and contact_daily.queue_id is not distinct from survey_daily.queue_id

),

flagged as (

    {# an incomplete export day (a source's file missing or refused): its KPIs are computed from what is there #}
    select
        joined.*,
        coalesce(completeness.is_complete_day, false) as is_complete_day
    from joined
    left join completeness
        on joined.date_day = completeness.date_day

),

final as (

    select
        date_day,
        channel,
        queue_id,
        contacts,
        offered,
        answered,
        abandoned,
        short_abandoned,
        offered_other_outcome,
        ivr_contained,
        callbacks,
        answered_within_sl,
        offered - short_abandoned as sl_denominator,
        {{ ratio('answered_within_sl', 'offered - short_abandoned') }} as service_level,
        {{ ratio('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandon_rate,
        sum_wait_seconds_answered,
        answered_with_wait,
        {{ ratio('sum_wait_seconds_answered', 'answered_with_wait') }} as asa_seconds,
        {{ duration_kpis('first_response') }},
        {{ duration_kpis('first_response_business') }},
        {{ duration_kpis('resolution') }},
        {{ duration_kpis('resolution_business') }},
        sla_first_response_contacts,
        sla_first_response_breached,
        {{ ratio('sla_first_response_breached', 'sla_first_response_contacts') }} as sla_first_response_breach_rate,
        sla_resolution_contacts,
        sla_resolution_breached,
        {{ ratio('sla_resolution_breached', 'sla_resolution_contacts') }} as sla_resolution_breach_rate,
        handled_with_handle_time,
        sum_handle_seconds,
        {{ ratio('sum_handle_seconds', 'handled_with_handle_time') }} as aht_seconds,
        sum_talk_seconds,
        sum_hold_seconds,
        sum_acw_seconds,
        {{ ratio('sum_talk_seconds', 'handled_with_handle_time') }} as mean_talk_seconds,
        {{ ratio('sum_hold_seconds', 'handled_with_handle_time') }} as mean_hold_seconds,
        {{ ratio('sum_acw_seconds', 'handled_with_handle_time') }} as mean_acw_seconds,
        transferred,
        {{ ratio('transferred', 'answered') }} as transfer_rate,
        fcr_resolved_first_contact,
        fcr_denominator,
        fcr_pending,
        {{ ratio('fcr_resolved_first_contact', 'fcr_denominator') }} as fcr_rate,
        tickets_solved,
        tickets_reopened,
        {{ ratio('tickets_reopened', 'tickets_solved') }} as reopen_rate,
        tickets_one_touch,
        {{ ratio('tickets_one_touch', 'tickets_solved') }} as one_touch_rate,
        resolved,
        {{ ratio('resolved', 'answered') }} as resolution_rate,
        repeat_contacts,
        known_customer_contacts,
        {{ ratio('repeat_contacts', 'known_customer_contacts') }} as repeat_contact_rate,
        surveys_sent,
        surveys_responded,
        {{ ratio('surveys_responded', 'surveys_sent') }} as survey_response_rate,
        csat_sum,
        csat_responses,
        {{ ratio('csat_sum', 'csat_responses') }} as csat_avg,
        csat_top2_responses,
        {{ ratio('csat_top2_responses', 'csat_responses') }} as csat_pct,
        negative_responses,
        {{ ratio('negative_responses', 'csat_responses') }} as negative_feedback_rate,
        nps_promoters,
        nps_detractors,
        nps_responses,
        {{ ratio('nps_promoters - nps_detractors', 'nps_responses', 100) }} as nps,
        ces_sum,
        ces_responses,
        {{ ratio('ces_sum', 'ces_responses') }} as ces_avg,
        is_complete_day
    from flagged

)

select * from final
