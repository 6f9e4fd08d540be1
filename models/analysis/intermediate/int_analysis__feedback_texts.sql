{#- The texts the feedback themes are counted in: one row per survey comment with a positive or negative sentiment
    (praise, complaint) and per ticket subject of a complaint contact (int_analysis__complaint_contacts), with its
    month and respondent. The text is the redacted one of staging (e-mails and phones masked) and stays in the
    intermediate layer: only counted terms leave (analysis_feedback_themes). Rules in
    _int_analysis__feedback_texts.yml. -#}
with survey_comments as (

    select * from {{ ref('stg_survey__responses') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

tickets as (

    select * from {{ ref('stg_helpdesk__tickets') }}

),

complaint_contacts as (

    select * from {{ ref('int_analysis__complaint_contacts') }}

),

survey_texts as (

    select
        {{ dbt.concat(["'survey:'", 'survey_responses.response_id']) }} as text_id,
        'survey_comment' as text_source,
        case survey_responses.comment_sentiment
            when 'positive' then 'praise'
            when 'negative' then 'complaint'
        end as feedback_type,
        coalesce(
            complaint_contacts.month_start,
            cast({{ dbt.date_trunc('month', 'survey_responses.responded_at') }} as date)
        ) as month_start,
        coalesce(
            survey_responses.customer_id,
            {{ dbt.concat(["'survey:'", 'survey_responses.response_id']) }}
        ) as respondent_key,
        survey_comments.comment_text as text_redacted
    from survey_responses
    inner join survey_comments
        on survey_responses.response_id = survey_comments.response_id
    left join complaint_contacts
        on survey_responses.contact_id = complaint_contacts.contact_id
    where
        survey_comments.comment_text is not null
        and survey_responses.comment_sentiment in ('positive', 'negative')

),

ticket_texts as (

    select
        complaint_contacts.contact_id as text_id,
        'ticket_subject' as text_source,
        'complaint' as feedback_type,
        complaint_contacts.month_start,
        coalesce(complaint_contacts.customer_id, complaint_contacts.contact_id) as respondent_key,
        tickets.subject_redacted as text_redacted
    from complaint_contacts
    inner join tickets
        on complaint_contacts.source_contact_id = tickets.ticket_id
    where
        complaint_contacts.source_system = 'helpdesk'
        and complaint_contacts.is_complaint
        and tickets.subject_redacted is not null

),

final as (

    select * from survey_texts
    where month_start is not null
    union all
    select * from ticket_texts

)

select * from final
