{#- Complaints, contact by contact: one row per offered contact (fct_contacts) with whether it is a complaint (issue
    type complaint, or negative feedback CSAT <= 2: K27), the measures of its wait, repeat (K21), FCR (K17) and
    resolution (K20, K07), and the value of each slice dimension analysis_complaints groups by. Rules in
    _int_analysis__complaint_contacts.yml. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

offered as (

    select * from contacts
    where is_offered

),

flagged as (

    select
        contact_id,
        source_system,
        source_contact_id,
        customer_id,
        arrived_date_local,
        channel,
        queue_id,
        team,
        issue_type,
        coalesce(issue_type = 'complaint', false) as is_complaint_issue,
        csat is not null as has_csat,
        coalesce(csat <= 2, false) as has_negative_feedback,
        channel in ('phone', 'chat') as is_live_channel,
        is_answered,
        is_short_abandon,
        is_within_service_level,
        is_transferred,
        is_resolved,
        is_repeat_contact,
        coalesce(has_known_customer, false) as has_known_customer,
        fcr_status,
        wait_seconds,
        resolution_seconds
    from offered

),

classified as (

    select
        *,
        is_complaint_issue or has_negative_feedback as is_complaint,
        cast({{ dbt.date_trunc('week', 'arrived_date_local') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'arrived_date_local') }} as date) as month_start,
        coalesce(queue_id, 'none') as queue_value,
        coalesce(team, 'none') as team_value,
        coalesce(issue_type, 'none') as issue_type_value,
        case
            when is_within_service_level then 'within_target'
            when is_short_abandon then 'short_abandon'
            else 'outside_target'
        end as service_level_value,
        case
            when is_repeat_contact then 'repeat'
            when not is_repeat_contact then 'first'
            else 'unknown_customer'
        end as repeat_contact_value,
        case
            when not is_answered then 'not_answered'
            when is_transferred then 'transferred'
            else 'not_transferred'
        end as transfer_value,
        case
            when not is_answered then 'not_answered'
            when is_resolved then 'resolved'
            else 'unresolved'
        end as resolution_value
    from flagged

),

final as (

    select
        contact_id,
        source_system,
        source_contact_id,
        customer_id,
        arrived_date_local,
        week_start,
        month_start,
        channel,
        queue_id,
        team,
        issue_type,
        is_complaint,
        is_complaint_issue,
        has_negative_feedback,
        has_csat,
        is_live_channel,
        is_answered,
        is_transferred,
        is_resolved,
        is_repeat_contact,
        has_known_customer,
        fcr_status,
        cast(wait_seconds as {{ type_double() }}) as wait_seconds,
        cast(resolution_seconds as {{ type_double() }}) as resolution_seconds,
        queue_value,
        team_value,
        channel as channel_value,
        issue_type_value,
        service_level_value,
        repeat_contact_value,
        transfer_value,
        resolution_value
    from classified

)

select * from final
