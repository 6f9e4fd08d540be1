{#- One row per survey sent to a real customer (test accounts excluded here, once): the surveyed contact's
    contact_id, the comment's language and lexicon sentiment. The comment text itself stays inside this model
    (free text may carry contact details): only its language, length and sentiment leave. -#}
{%- set max_depth = var('call_chain_max_depth', 6) | int -%}

with responses as (

    select * from {{ ref('stg_survey__responses') }}

),

call_legs as (

    select * from {{ ref('stg_telephony__contact_records') }}

),

lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

real_responses as (

    select * from responses
    where not is_test_account

),

surveyed_call_legs as (

    select distinct contact_ref as leg_id
    from real_responses
    where contact_channel = 'phone' and contact_ref is not null

),

first_legs as (

    select
        surveyed_call_legs.leg_id,
        coalesce(
            {%- for hop in range(max_depth, -1, -1) %}
                hop_{{ hop }}.contact_id,
            {%- endfor %}
            surveyed_call_legs.leg_id
        ) as first_leg_id
    from surveyed_call_legs
    left join call_legs as hop_0
        on surveyed_call_legs.leg_id = hop_0.contact_id
    {%- for hop in range(1, max_depth + 1) %}
    left join call_legs as hop_{{ hop }}
        on hop_{{ hop - 1 }}.previous_contact_id = hop_{{ hop }}.contact_id
    {%- endfor %}

),

with_contact as (

    select
        real_responses.*,
        case real_responses.contact_channel
            when 'phone' then {{ dbt.concat(["'telephony:'", 'first_legs.first_leg_id']) }}
            when 'chat' then {{ dbt.concat(["'chat:'", 'real_responses.contact_ref']) }}
            when 'email' then {{ dbt.concat(["'helpdesk:'", 'real_responses.contact_ref']) }}
            when 'web_form' then {{ dbt.concat(["'helpdesk:'", 'real_responses.contact_ref']) }}
        end as contact_id
    from real_responses
    left join first_legs
        on real_responses.contact_ref = first_legs.leg_id

),

comments as (

    select
        response_id,
        {{ sentiment_match_text('comment_text') }} as match_text
    from with_contact
    where comment_text is not null

),

lexicon_hits as (

    select
        comments.response_id,
        lexicon.polarity,
        lexicon.weight
    from comments
    inner join lexicon
        on
            (
                lexicon.language = 'zh'
                and comments.match_text like {{ dbt.concat(["'%'", 'lexicon.term', "'%'"]) }}
            )
            or (
                lexicon.language = 'en'
                and comments.match_text like {{ dbt.concat(["'% '", 'lexicon.term', "' %'"]) }}
            )

),

lexicon_scores as (

    select
        response_id,
        count(*) as lexicon_hits,
        sum(
            case polarity when 'positive' then weight when 'negative' then -weight else 0 end
        ) as sentiment_score
    from lexicon_hits
    group by response_id

),

scored as (

    select
        with_contact.*,
        lexicon_scores.sentiment_score,
        coalesce(lexicon_scores.lexicon_hits, 0) as lexicon_hits
    from with_contact
    left join lexicon_scores
        on with_contact.response_id = lexicon_scores.response_id

),

final as (

    select
        response_id,
        contact_channel as channel,
        contact_ref,
        contact_id,
        customer_id as survey_customer_id,
        sent_at,
        responded_at,
        is_responded,
        csat,
        nps,
        ces,
        comment_text is not null as has_comment,
        {{ dbt.length('comment_text') }} as comment_length,
        {{ comment_language('comment_text') }} as comment_language,
        cast(lexicon_hits as {{ dbt.type_bigint() }}) as comment_lexicon_hits,
        cast(sentiment_score as {{ dbt.type_bigint() }}) as comment_sentiment_score,
        case
            when comment_text is null then null
            when lexicon_hits > 0 then 'lexicon'
            when csat is not null then 'csat'
            else 'none'
        end as comment_sentiment_basis,
        case
            when comment_text is null then null
            when lexicon_hits > 0 and sentiment_score > 0 then 'positive'
            when lexicon_hits > 0 and sentiment_score < 0 then 'negative'
            when lexicon_hits > 0 then 'neutral'
            when csat >= 4 then 'positive'
            when csat <= 2 then 'negative'
            else 'neutral'
        end as comment_sentiment,
        has_invalid_score,
        has_invalid_timestamp
    from scored

)

select * from final
