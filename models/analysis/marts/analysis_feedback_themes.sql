{#- What customers praise and complain about: one row per month x feedback type (praise, complaint) x text source
    (survey comments, complaint ticket subjects) x term, with the texts and customers that used it, shown only when at
    least min_theme_customers different customers did (no single customer's words, no name). Rules in
    _analysis_feedback_themes.yml. -#}
{%- set min_theme_customers = config.get('min_theme_customers', 5) -%}

with texts as (

    select * from {{ ref('int_analysis__feedback_texts') }}

),

terms as (

    select * from {{ ref('int_analysis__feedback_terms') }}

),

text_groups as (

    select
        month_start,
        feedback_type,
        text_source,
        count(*) as texts
    from texts
    group by 1, 2, 3

),

term_counts as (

    select
        month_start,
        feedback_type,
        text_source,
        term,
        term_language,
        {{ dbt.bool_or('is_lexicon_term') }} as is_lexicon_term,
        max(lexicon_polarity) as lexicon_polarity,
        count(distinct text_id) as mentions,
        count(distinct respondent_key) as term_customers,
        {{ count_where('is_capitalised_mid_text') }} as capitalised_mentions
    from terms
    group by 1, 2, 3, 4, 5

),

shown as (

    select * from term_counts
    where
        term_customers >= {{ min_theme_customers }}
        and (is_lexicon_term or capitalised_mentions * 2 < mentions)

),

with_previous as (

    select
        shown.*,
        previous.mentions as previous_mentions
    from shown
    left join shown as previous
        on
            shown.feedback_type = previous.feedback_type
            and shown.text_source = previous.text_source
            and shown.term = previous.term
            and shown.term_language = previous.term_language
            and cast({{ dbt.dateadd('month', -1, 'shown.month_start') }} as date) = previous.month_start

),

joined as (

    select
        with_previous.*,
        text_groups.texts,
        max(with_previous.month_start) over () as latest_month_start,
        row_number() over (
            partition by with_previous.month_start, with_previous.feedback_type, with_previous.text_source
            order by with_previous.mentions desc, with_previous.term_customers desc, with_previous.term asc
        ) as term_rank
    from with_previous
    inner join text_groups
        on
            with_previous.month_start = text_groups.month_start
            and with_previous.feedback_type = text_groups.feedback_type
            and with_previous.text_source = text_groups.text_source

),

final as (

    select
        cast(month_start as date) as month_start,
        month_start = latest_month_start as is_latest_month,
        cast(feedback_type as {{ dbt.type_string() }}) as feedback_type,
        cast(text_source as {{ dbt.type_string() }}) as text_source,
        cast(term as {{ dbt.type_string() }}) as term,
        cast(term_language as {{ dbt.type_string() }}) as term_language,
        is_lexicon_term,
        cast(lexicon_polarity as {{ dbt.type_string() }}) as lexicon_polarity,
        cast(mentions as {{ dbt.type_bigint() }}) as mentions,
        cast(term_customers as {{ dbt.type_bigint() }}) as term_customers,
        cast(texts as {{ dbt.type_bigint() }}) as texts,
        cast({{ ratio('mentions', 'texts') }} as {{ type_double() }}) as mention_share,
        cast(previous_mentions as {{ dbt.type_bigint() }}) as previous_mentions,
        cast(term_rank as {{ dbt.type_int() }}) as term_rank
    from joined

)

select * from final
