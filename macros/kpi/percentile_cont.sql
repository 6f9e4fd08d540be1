{#- The continuous percentile (linear interpolation) of `expression` at `fraction` (0-1) as an aggregate, nulls
    ignored. Dispatched: `default__` is the SQL-standard ordered-set aggregate
    `percentile_cont(f) within group (order by x)` (PostgreSQL, Snowflake, Spark 3.3+); `duckdb__` uses
    `quantile_cont(x, f)`. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'contact_center')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
