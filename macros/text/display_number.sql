{#- A computed double as text for people (alert evidence), rounded to `digits` decimals the same way on every engine.

    Rounded twice: to 9 decimals first, then to `digits`. A double on a rounding boundary rounds differently on the
    two engines: DuckDB's round(47.254499999999997, 3) multiplies by 1000, lands on 47254.5 and gives 47.255; Spark
    rounds the decimal text half up and gives 47.254 (the default preset's alerts, issue 20). Which side of the
    boundary a sum falls on also depends on the order of addition. Rounded to 9 decimals first, both hold the same
    double (47.2545) and round it alike. Nine decimals are far below what the KPIs carry and far above that noise. -#}
{% macro display_number(expression, digits=3) -%}
    cast(round(round({{ expression }}, 9), {{ digits }}) as {{ dbt.type_string() }})
{%- endmacro %}
