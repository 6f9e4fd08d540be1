{#- A computed double as text for people (alert evidence), rounded to `digits` decimals the same way on every engine.

    Rounded twice: to 9 decimals first, then to `digits`. Sums and means of doubles differ in their last bit with the
    order of addition (DuckDB's and Spark's plans, or thread counts, add in different orders), and a value sitting on
    a rounding boundary then rounds either way: 47.2545 computed as 47.254499999999997 on one engine and
    47.254500000000003 on the other gave "47.254" and "47.255" (the default preset's alerts, issue 20). Nine decimals
    are far below what the KPIs carry and far above that noise. -#}
{% macro display_number(expression, digits=3) -%}
    cast(round(round({{ expression }}, 9), {{ digits }}) as {{ dbt.type_string() }})
{%- endmacro %}
