{#- Trim padding and turn an empty string into null: the one text clean-up every raw field gets.
    DuckDB also strips tabs, line breaks, non-breaking and ideographic (full-width) spaces,
    which Chinese exports use as padding; the portable default trims plain spaces only. -#}
{% macro clean_text(expr) -%}
    {{ return(adapter.dispatch('clean_text')(expr)) }}
{%- endmacro %}

{% macro default__clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro duckdb__clean_text(expr) -%}
    nullif(trim({{ expr }}, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288)), '')
{%- endmacro %}
