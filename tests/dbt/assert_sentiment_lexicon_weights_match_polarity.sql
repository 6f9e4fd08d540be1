-- seeds/sentiment_lexicon.csv: neutral terms weigh 0, positive and negative terms at least 1; terms are
-- lower case and trimmed (the comment is lower-cased before matching). Returns the offending rows.
with lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

final as (

    select
        term,
        language,
        polarity,
        weight
    from lexicon
    where
        (polarity = 'neutral' and weight <> 0)
        or (polarity <> 'neutral' and weight < 1)
        or term <> lower(trim(term))

)

select * from final
