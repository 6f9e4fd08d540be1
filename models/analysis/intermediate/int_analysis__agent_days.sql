{#- Agent x local date: kpi_agent_daily with the per-agent-day sums the analysis models need beside it (queue wait
    of answered contacts, first response, negative feedback) and the day's ratios. Rules in
    _int_analysis__agent_days.yml. -#}
with agent_daily as (

    select * from {{ ref('kpi_agent_daily') }}

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

handled_contacts as (

    select *
    from contacts
    where {{ is_handled() }} and agent_id is not null

),

contact_extras as (

    select
        agent_id,
        arrived_date_local as date_day,
        {{ count_where("wait_seconds is not null and channel in ('phone', 'chat')") }} as answered_with_wait,
        {{ sum_where('wait_seconds', "channel in ('phone', 'chat')") }} as sum_wait_seconds_answered,
        {{ count_where("handle_seconds is not null and channel in ('phone', 'chat')") }}
            as live_handled_with_handle_time,
        {{ sum_where('handle_seconds', "channel in ('phone', 'chat')") }} as sum_live_handle_seconds,
        {{ count_where("first_response_seconds is not null and channel in ('email', 'web_form')") }}
            as first_response_contacts,
        {{ sum_where('first_response_seconds', "channel in ('email', 'web_form')") }} as sum_first_response_seconds,
        {{ count_where('has_survey_response and csat is not null and csat <= 2') }} as negative_responses
    from handled_contacts
    group by
        agent_id,
        arrived_date_local

),

final as (

    select
        agent_daily.*,
        cast({{ dbt.date_trunc('month', 'agent_daily.date_day') }} as date) as month,
        coalesce(contact_extras.answered_with_wait, 0) as answered_with_wait,
        contact_extras.sum_wait_seconds_answered,
        {{ ratio('contact_extras.sum_wait_seconds_answered', 'contact_extras.answered_with_wait') }} as asa_seconds,
        coalesce(contact_extras.live_handled_with_handle_time, 0) as live_handled_with_handle_time,
        contact_extras.sum_live_handle_seconds,
        {{ ratio('contact_extras.sum_live_handle_seconds', 'contact_extras.live_handled_with_handle_time') }}
            as live_aht_seconds,
        coalesce(contact_extras.first_response_contacts, 0) as first_response_contacts,
        contact_extras.sum_first_response_seconds,
        {{ ratio('contact_extras.sum_first_response_seconds', 'contact_extras.first_response_contacts') }}
            as first_response_seconds,
        coalesce(contact_extras.negative_responses, 0) as negative_responses,
        {{ ratio('contact_extras.negative_responses', 'agent_daily.csat_responses') }} as negative_feedback_rate
    from agent_daily
    left join contact_extras
        on
            agent_daily.agent_id = contact_extras.agent_id
            and agent_daily.date_day = contact_extras.date_day

)

select * from final
