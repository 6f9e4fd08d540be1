{#- A struct value from field names and SQL expressions, in the order given (unit-test fixtures of nested raw
    columns such as Amazon Connect's CustomerEndpoint, Queue, Agent):
        {{ struct_literal({'Address': "'+44 7700 900123'", 'Type': "'TELEPHONE_NUMBER'"}) }}
    DuckDB's literal {'Address': ..., 'Type': ...}; Spark's named_struct('Address', ..., 'Type', ...). -#}
{% macro struct_literal(fields) -%}
    {{ return(adapter.dispatch('struct_literal', 'contact_center')(fields)) }}
{%- endmacro %}

{% macro default__struct_literal(fields) -%}
    { {%- for name, value in fields.items() -%} '{{ name }}': {{ value }}{{ ', ' if not loop.last }}{%- endfor -%} }
{%- endmacro %}

{% macro spark__struct_literal(fields) -%}
    named_struct( {%- for name, value in fields.items() -%} '{{ name }}', {{ value }}{{ ', ' if not loop.last }}{%- endfor -%} )
{%- endmacro %}
