{#- One row per survey sent (test accounts excluded upstream), with the surveyed contact, the resolved CRM
    customer, the scores and their KPI flags (K22-K27), and the comment's language and sentiment. -#}
with responses as (

    select * from {{ ref('int_surveys__responses') }}

),

customer_identifiers as (

    select * from {{ ref('int_customers__identifiers') }}

),

crm_ids as (

    select
        identifier_value,
        customer_id
    from customer_identifiers
    where identifier_type = 'crm_customer_id'

),

with_customer as (

    select
        responses.*,
        crm_ids.customer_id
    from responses
    left join crm_ids
        on responses.survey_customer_id = crm_ids.identifier_value

),

final as (

    select
        response_id,
        contact_id,
        channel,
        contact_ref,
        customer_id,
        sent_at,
        responded_at,
        is_responded,
        cast(csat as {{ dbt.type_int() }}) as csat,
        cast(nps as {{ dbt.type_int() }}) as nps,
        cast(ces as {{ dbt.type_int() }}) as ces,
        case
            when nps >= 9 then 'promoter'
            when nps >= 7 then 'passive'
            when nps >= 0 then 'detractor'
        end as nps_category,
        case when nps is not null then nps >= 9 end as is_nps_promoter,
        case when nps is not null then nps <= 6 end as is_nps_detractor,
        case when csat is not null then csat >= 4 end as is_csat_top2,
        case when csat is not null then csat <= 2 end as is_negative_feedback,
        has_comment,
        cast(comment_length as {{ dbt.type_int() }}) as comment_length,
        comment_language,
        comment_sentiment,
        comment_sentiment_score,
        comment_sentiment_basis,
        comment_lexicon_hits,
        has_invalid_score
    from with_customer

)

select * from final
