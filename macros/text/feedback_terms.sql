{#- Text helpers for the feedback themes (documented in _feedback_terms__macros.yml). -#}

{#- `expr` with ASCII and full-width punctuation replaced by spaces, case kept, trimmed: English words are then the
    parts between spaces. The marks are those of sentiment_match_text. Portable: nested replace(), no regex. -#}
{% macro punctuation_to_spaces(expr) -%}
    {%- set punctuation = ['.', ',', '!', '?', ';', ':', '"', '(', ')', '。', '，', '！', '？', '；', '：', '、', '…'] -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for mark in punctuation -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ mark ~ "', ' ')" -%}
    {%- endfor -%}
    trim({{ ns.sql }})
{%- endmacro %}

{#- True when `expr` (lower case) is a plain English word: ASCII letters, with at most one inner apostrophe (don't).
    Digits, placeholders such as [email] and mixed tokens are not words. -#}
{% macro is_plain_word(expr) -%}
    {{ return(adapter.dispatch('is_plain_word', 'contact_center')(expr)) }}
{%- endmacro %}

{#- Spark / Databricks (Java regex). -#}
{% macro default__is_plain_word(expr) -%}
    ({{ expr }} rlike '^[a-z]+(\'[a-z]+)?$')
{%- endmacro %}

{#- DuckDB (RE2). -#}
{% macro duckdb__is_plain_word(expr) -%}
    regexp_full_match({{ expr }}, '[a-z]+(''[a-z]+)?')
{%- endmacro %}
