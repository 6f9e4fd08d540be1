{#- One row per answered contact with a CSAT response and a settled FCR status: the CSAT and the candidate
    drivers of int_analysis__csat_drivers, on scales a manager reads (minutes, hours, counts, flags). Rules in
    _int_analysis__csat_driver_inputs.yml. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

surveyed as (

    select *
    from contacts
    where
        is_offered
        and is_answered
        and has_survey_response
        and csat is not null
        and fcr_status in ('resolved_first_contact', 'repeat_contact', 'unresolved')
        and (
            (channel in ('phone', 'chat') and wait_seconds is not null and handle_seconds is not null)
            or (channel in ('email', 'web_form') and first_response_seconds is not null)
        )

),

final as (

    select
        contact_id,
        cast({{ dbt.date_trunc('month', 'arrived_date_local') }} as date) as month,
        channel,
        cast(csat as {{ type_double() }}) as csat,
        case
            when channel in ('phone', 'chat') then wait_seconds / 60.0 else 0
        end as wait_minutes,
        case
            when channel in ('email', 'web_form') then first_response_seconds / 3600.0 else 0
        end as first_response_hours,
        case
            when channel in ('phone', 'chat') then handle_seconds / 60.0 else 0
        end as handle_minutes,
        cast(coalesce(transfer_count, 0) as {{ type_double() }}) as transfers,
        case when fcr_status = 'resolved_first_contact' then 0.0 else 1.0 end as not_resolved_first_contact
    from surveyed

)

select * from final
