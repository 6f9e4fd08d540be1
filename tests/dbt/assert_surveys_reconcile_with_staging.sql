-- Every staged survey is either in fct_survey_responses or excluded as a test account; the published
-- answered count equals the staged one minus the test accounts'. Returns a row when a count disagrees.
with counts as (

    select
        (select count(*) from {{ ref('stg_survey__responses') }}) as staged_surveys,
        (
            select count(*) from {{ ref('stg_survey__responses') }}
            where is_test_account
        ) as test_account_surveys,
        (
            select count(*) from {{ ref('stg_survey__responses') }}
            where is_responded and not is_test_account
        ) as staged_real_responses,
        (select count(*) from {{ ref('fct_survey_responses') }}) as published_surveys,
        (
            select count(*) from {{ ref('fct_survey_responses') }}
            where is_responded
        ) as published_responses

),

final as (

    select * from counts
    where
        staged_surveys <> published_surveys + test_account_surveys
        or staged_real_responses <> published_responses

)

select * from final
