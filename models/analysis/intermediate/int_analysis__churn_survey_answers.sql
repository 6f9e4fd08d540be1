{#- The survey answers the churn analysis counts: answered surveys of known customers, with their as-of month (the
    UTC month of the answer). Rules in _int_analysis__churn_inputs.yml. -#}
with surveys as (

    select * from {{ ref('fct_survey_responses') }}

),

final as (

    select
        customer_id,
        csat,
        nps,
        ces,
        is_negative_feedback,
        comment_sentiment,
        cast({{ dbt.date_trunc('month', 'cast(responded_at as date)') }} as date) as as_of_month
    from surveys
    where
        is_responded
        and customer_id is not null

)

select * from final
