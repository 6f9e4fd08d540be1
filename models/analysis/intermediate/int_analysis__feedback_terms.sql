{#- The terms of each feedback text: one row per text x distinct term - the sentiment lexicon's terms found in it,
    its English words and its Chinese character pairs (bigrams), stop words left out. Rules in
    _int_analysis__feedback_terms.yml. -#}
{%- set max_words = config.get('max_words', 60) -%}
{%- set max_chars = config.get('max_chars', 200) -%}
{%- set min_word_length = config.get('min_word_length', 3) -%}
{%- set min_accessor_variety = config.get('min_accessor_variety', 2) -%}

with texts as (

    select * from {{ ref('int_analysis__feedback_texts') }}

),

lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

stopwords as (

    select * from {{ ref('feedback_stopwords') }}

),

word_positions as (

    {{ dbt.generate_series(max_words) }}

),

char_positions as (

    {{ dbt.generate_series(max_chars) }}

),

prepared as (

    select
        text_id,
        {{ punctuation_to_spaces('text_redacted') }} as words_text,
        {{ sentiment_match_text('text_redacted') }} as match_text
    from texts

),

counted as (

    select
        *,
        {{ dbt.length('words_text') }} as text_length,
        {{ dbt.length('words_text') }} - {{ dbt.length(dbt.replace('words_text', "' '", "''")) }} + 1 as word_slots
    from prepared

),

lexicon_hits as (

    select
        counted.text_id,
        lexicon.term,
        lexicon.language as term_language,
        lexicon.polarity as lexicon_polarity
    from counted
    inner join lexicon
        on
            (
                lexicon.language = 'zh'
                and counted.match_text like {{ dbt.concat(["'%'", 'lexicon.term', "'%'"]) }}
            )
            or (
                lexicon.language = 'en'
                and counted.match_text like {{ dbt.concat(["'% '", 'lexicon.term', "' %'"]) }}
            )

),

outermost_lexicon_hits as (

    select lexicon_hits.*
    from lexicon_hits
    where not exists (
        select 1
        from lexicon_hits as longer
        where
            longer.text_id = lexicon_hits.text_id
            and longer.term_language = lexicon_hits.term_language
            and {{ dbt.length('longer.term') }} > {{ dbt.length('lexicon_hits.term') }}
            and {{ dbt.concat(["' '", 'longer.term', "' '"]) }} like case lexicon_hits.term_language
                when 'en' then {{ dbt.concat(["'% '", 'lexicon_hits.term', "' %'"]) }}
                else {{ dbt.concat(["'%'", 'lexicon_hits.term', "'%'"]) }}
            end
    )

),

word_tokens as (

    select
        counted.text_id,
        word_positions.generated_number as word_number,
        {{ dbt.split_part('counted.words_text', "' '", 'word_positions.generated_number') }} as token
    from counted
    inner join word_positions
        on counted.word_slots >= word_positions.generated_number

),

words as (

    select
        text_id,
        lower(token) as term,
        'en' as term_language,
        word_number > 1 and token <> lower(token) as is_capitalised_mid_text
    from word_tokens
    where
        {{ is_plain_word('lower(token)') }}
        and {{ dbt.length('token') }} >= {{ min_word_length }}

),

character_pairs as (

    select
        counted.text_id,
        substring(counted.words_text, char_positions.generated_number, 2) as term,
        case
            when char_positions.generated_number > 1
                then substring(counted.words_text, char_positions.generated_number - 1, 1)
        end as previous_character,
        substring(counted.words_text, char_positions.generated_number + 2, 1) as next_character,
        {{ dbt.concat([
            'counted.text_id', "'|'", 'cast(char_positions.generated_number as ' ~ dbt.type_string() ~ ')'
        ]) }} as boundary_key
    from counted
    inner join char_positions
        on counted.text_length > char_positions.generated_number
    where
        {{ contains_cjk('substring(counted.words_text, char_positions.generated_number, 1)') }}
        and {{ contains_cjk('substring(counted.words_text, char_positions.generated_number + 1, 1)') }}

),

bigram_occurrences as (

    select
        text_id,
        term,
        case
            when {{ contains_cjk('previous_character') }} then previous_character
            else boundary_key
        end as left_context,
        case
            when {{ contains_cjk('next_character') }} then next_character
            else boundary_key
        end as right_context
    from character_pairs

),

bigram_variety as (

    select
        term,
        count(distinct left_context) as left_variety,
        count(distinct right_context) as right_variety
    from bigram_occurrences
    group by term

),

bigrams as (

    select distinct
        bigram_occurrences.text_id,
        bigram_occurrences.term,
        'zh' as term_language,
        false as is_capitalised_mid_text
    from bigram_occurrences
    inner join bigram_variety
        on bigram_occurrences.term = bigram_variety.term
    where
        bigram_variety.left_variety >= {{ min_accessor_variety }}
        and bigram_variety.right_variety >= {{ min_accessor_variety }}

),

discovered as (

    select * from words
    union all
    select * from bigrams

),

new_terms as (

    select discovered.*
    from discovered
    left join stopwords
        on
            discovered.term = stopwords.term
            and discovered.term_language = stopwords.language
    where
        stopwords.term is null
        and not exists (
            select 1
            from lexicon_hits
            where
                lexicon_hits.text_id = discovered.text_id
                and lexicon_hits.term_language = discovered.term_language
                and {{ dbt.concat(["' '", 'lexicon_hits.term', "' '"]) }} like case discovered.term_language
                    when 'en' then {{ dbt.concat(["'% '", 'discovered.term', "' %'"]) }}
                    else {{ dbt.concat(["'%'", 'discovered.term', "'%'"]) }}
                end
        )

),

text_terms as (

    select
        text_id,
        term,
        term_language,
        true as is_lexicon_term,
        lexicon_polarity,
        false as is_capitalised_mid_text
    from outermost_lexicon_hits
    union all
    select
        text_id,
        term,
        term_language,
        false as is_lexicon_term,
        cast(null as {{ dbt.type_string() }}) as lexicon_polarity,
        is_capitalised_mid_text
    from new_terms

),

distinct_terms as (

    select
        text_id,
        term,
        term_language,
        is_lexicon_term,
        lexicon_polarity,
        {{ dbt.bool_or('is_capitalised_mid_text') }} as is_capitalised_mid_text
    from text_terms
    group by
        text_id,
        term,
        term_language,
        is_lexicon_term,
        lexicon_polarity

),

final as (

    select
        texts.text_id,
        texts.text_source,
        texts.feedback_type,
        texts.month_start,
        texts.respondent_key,
        distinct_terms.term,
        distinct_terms.term_language,
        distinct_terms.is_lexicon_term,
        distinct_terms.lexicon_polarity,
        distinct_terms.is_capitalised_mid_text
    from distinct_terms
    inner join texts
        on distinct_terms.text_id = texts.text_id

)

select * from final
