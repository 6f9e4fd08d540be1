{#- Text helpers for free-text survey comments (documented in _text__macros.yml). -#}

{#- True when `expr` contains a CJK ideograph (Unified Ideographs, Extension A, Compatibility Ideographs);
    punctuation and full-width Latin letters alone do not count. Null when `expr` is null. -#}
{% macro contains_cjk(expr) -%}
    {{ return(adapter.dispatch('contains_cjk', 'contact_center')(expr)) }}
{%- endmacro %}

{#- Spark / Databricks (Java regex). -#}
{% macro default__contains_cjk(expr) -%}
    ({{ expr }} rlike '[\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}\\x{F900}-\\x{FAFF}]')
{%- endmacro %}

{#- DuckDB (RE2). -#}
{% macro duckdb__contains_cjk(expr) -%}
    regexp_matches({{ expr }}, '[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}]')
{%- endmacro %}

{#- 'zh' when the comment contains a CJK ideograph, 'en' otherwise, null when there is no comment. -#}
{% macro comment_language(expr) -%}
    case
        when {{ expr }} is null then null
        when {{ contains_cjk(expr) }} then 'zh'
        else 'en'
    end
{%- endmacro %}

{#- The comment prepared for lexicon matching: lower-cased, ASCII and full-width punctuation replaced by spaces,
    wrapped in one space on each side, so an English term matches as whole words with
    `like '% term %'` and a Chinese term as a substring. Portable: nested replace(), no regex. -#}
{% macro sentiment_match_text(expr) -%}
    {%- set punctuation = ['.', ',', '!', '?', ';', ':', '"', '(', ')', '。', '，', '！', '？', '；', '：', '、', '…'] -%}
    {%- set ns = namespace(sql='lower(' ~ expr ~ ')') -%}
    {%- for mark in punctuation -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ mark ~ "', ' ')" -%}
    {%- endfor -%}
    {{ dbt.concat(["' '", ns.sql, "' '"]) }}
{%- endmacro %}
