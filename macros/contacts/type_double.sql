{#- An 8-byte floating-point type. dbt.type_float() is a 4-byte REAL on DuckDB, too coarse for seconds. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'contact_center')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
