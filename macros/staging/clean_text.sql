{#- Trim padding and turn an empty string into null: the one text clean-up every raw field gets.
    DuckDB also strips tabs, line breaks, non-breaking and ideographic (full-width) spaces,
    which Chinese exports use as padding; the portable default trims plain spaces only. -#}
{% macro clean_text(expr) -%}
    {{ return(adapter.dispatch('clean_text')(expr)) }}
{%- endmacro %}

{% macro default__clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{#- DuckDB: trimming with a character set is several times slower than a plain null-if, so the set
    is only applied when the first or last character is one of the padding characters (plain
    comparisons: an IN list here would become a join per column). -#}
{% macro duckdb__clean_text(expr) -%}
    case
        when {{ _is_padding_char('unicode(' ~ expr ~ ')') }} or {{ _is_padding_char('unicode(right(' ~ expr ~ ', 1))') }}
            then nullif(trim({{ expr }}, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288)), '')
        else nullif({{ expr }}, '')
    end
{%- endmacro %}

{#- Spark: trim(both <characters> from ...) with the same padding characters as DuckDB (tab, line feed, carriage
    return, no-break and ideographic space written as escapes of a Spark string literal). -#}
{% macro spark__clean_text(expr) -%}
    nullif(trim(both ' \t\n\r\u00A0\u3000' from {{ expr }}), '')
{%- endmacro %}

{#- A code point that counts as padding: control characters and space (<= 32), no-break space (160),
    ideographic space (12288). -#}
{% macro _is_padding_char(code_point) -%}
    ({{ code_point }} <= 32 or {{ code_point }} = 160 or {{ code_point }} = 12288)
{%- endmacro %}
