{#- numerator / denominator as a double; null when the denominator is null or 0 (no observation is no rate).
    `scale` multiplies the result (100 for NPS points). -#}
{% macro ratio(numerator, denominator, scale=1) -%}
    case
        when ({{ denominator }}) > 0
            then {{ scale }} * cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}

{#- Aggregate: the number of rows where `condition` is true (null counts as false), as a bigint. -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Aggregate: the sum of `expression` over the rows where `condition` is true, as a double. -#}
{% macro sum_where(expression, condition) -%}
    cast(sum(case when {{ condition }} then {{ expression }} end) as {{ type_double() }})
{%- endmacro %}
