{#- Models land in the schema their folder names (staging, intermediate, marts, reference, snapshots),
    not in "<target schema>_<custom schema>": BI tools query stable names such as marts.fct_contacts. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
