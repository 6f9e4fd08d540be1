{#- The parts of a null-safe fingerprint of `columns` for dbt.concat: every value cast to text, a marker for
    null (so null and '' differ), separated by '|'. -#}
{% macro tracked_attribute_parts(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
