{#- One row per customer contact, all channels: the contact fact behind the service KPIs (K01-K11, K16-K27).
    Rules and column definitions in _fct_contacts.yml. -#}
with contacts as (

    select * from {{ ref('int_contacts') }}

),

fcr as (

    select * from {{ ref('int_contacts__fcr') }}

),

durations as (

    select * from {{ ref('int_contacts__durations') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

ranked_surveys as (

    select
        contact_id,
        responded_at,
        csat,
        nps,
        ces,
        row_number() over (
            partition by contact_id
            order by
                case when responded_at is not null then 0 else 1 end,
                responded_at desc,
                sent_at desc,
                csat desc,
                nps desc,
                ces desc
        ) as survey_rank
    from survey_responses
    where contact_id is not null

),

contact_surveys as (

    select * from ranked_surveys
    where survey_rank = 1

),

joined as (

    select
        contacts.*,
        fcr.fcr_status,
        fcr.fcr_window_days,
        fcr.is_repeat_contact,
        fcr.has_known_customer,
        durations.first_response_seconds,
        durations.first_response_business_seconds,
        durations.resolution_seconds,
        durations.resolution_business_seconds,
        durations.first_response_clock_seconds,
        durations.first_response_clock_business_seconds,
        durations.resolution_clock_seconds,
        durations.resolution_clock_business_seconds,
        queues.is_synchronous as is_queue_synchronous,
        queues.service_level_threshold_seconds,
        queues.is_business_time as is_service_level_business_time,
        queues.short_abandon_threshold_seconds,
        sla_targets.first_response_target_seconds,
        sla_targets.resolution_target_seconds,
        sla_targets.is_business_time as is_sla_business_time,
        contact_surveys.responded_at as survey_responded_at,
        contact_surveys.csat,
        contact_surveys.nps,
        contact_surveys.ces,
        contact_surveys.contact_id is not null as is_surveyed
    from contacts
    left join fcr
        on contacts.contact_id = fcr.contact_id
    left join durations
        on contacts.contact_id = durations.contact_id
    left join queues
        on contacts.queue_id = queues.queue_id
    left join sla_targets
        on
            contacts.channel = sla_targets.channel
            and contacts.priority = sla_targets.priority
    left join contact_surveys
        on contacts.contact_id = contact_surveys.contact_id

),

service_measures as (

    select
        *,
        case
            when is_queue_synchronous then wait_seconds
            when is_service_level_business_time then first_response_business_seconds
            else first_response_seconds
        end as service_level_seconds,
        case
            when is_sla_business_time then first_response_clock_business_seconds
            else first_response_clock_seconds
        end as sla_first_response_seconds,
        case
            when is_sla_business_time then resolution_clock_business_seconds
            else resolution_clock_seconds
        end as sla_resolution_seconds
    from joined

),

final as (

    select
        contact_id,
        channel,
        source_system,
        source_contact_id,
        source_ids,
        queue_id,
        time_zone,
        issue_type,
        priority,
        customer_id,
        customer_match_method,
        has_known_customer,
        agent_id,
        agent_key,
        team,
        arrived_at,
        arrived_at_local,
        arrived_date_local,
        interval_start_at,
        enqueued_at,
        answered_at,
        answered_at_local,
        first_response_at,
        first_response_at_local,
        resolved_at,
        resolved_at_local,
        ended_at,
        wait_seconds,
        first_response_seconds,
        first_response_business_seconds,
        resolution_seconds,
        resolution_business_seconds,
        talk_seconds,
        hold_seconds,
        acw_seconds,
        handle_seconds,
        is_offered,
        is_ivr_contained,
        is_answered,
        is_abandoned,
        coalesce(
            is_abandoned and wait_seconds < short_abandon_threshold_seconds, false
        ) as is_short_abandon,
        coalesce(
            is_answered and service_level_seconds <= service_level_threshold_seconds, false
        ) as is_within_service_level,
        cast(service_level_threshold_seconds as {{ dbt.type_int() }}) as service_level_threshold_seconds,
        cast(short_abandon_threshold_seconds as {{ dbt.type_int() }}) as short_abandon_threshold_seconds,
        is_callback,
        transfer_count,
        transfer_count > 0 as is_transferred,
        is_resolved,
        fcr_status,
        cast(fcr_window_days as {{ dbt.type_int() }}) as fcr_window_days,
        is_repeat_contact,
        reopen_count,
        agent_replies,
        cast(first_response_target_seconds as {{ dbt.type_int() }}) as first_response_target_seconds,
        cast(resolution_target_seconds as {{ dbt.type_int() }}) as resolution_target_seconds,
        first_response_target_seconds is not null as has_first_response_target,
        resolution_target_seconds is not null as has_resolution_target,
        coalesce(
            sla_first_response_seconds > first_response_target_seconds, false
        ) as is_first_response_breached,
        coalesce(
            sla_resolution_seconds > resolution_target_seconds, false
        ) as is_resolution_breached,
        is_surveyed,
        survey_responded_at is not null as has_survey_response,
        survey_responded_at,
        cast(csat as {{ dbt.type_int() }}) as csat,
        cast(nps as {{ dbt.type_int() }}) as nps,
        cast(ces as {{ dbt.type_int() }}) as ces,
        entry_page,
        utm_source,
        device,
        referrer
    from service_measures

)

select * from final
