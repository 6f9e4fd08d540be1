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

{#- Aggregate: the sum of `expression` over the rows where `condition` is true, as a double (sum_exact). -#}
{% macro sum_where(expression, condition) -%}
    {{ sum_exact('case when ' ~ condition ~ ' then ' ~ expression ~ ' end') }}
{%- endmacro %}

{#- Aggregate (a window with `partition_by`): the sum of `expression` as a double, added up exactly. Each value is
    first rounded to `places` decimals (9: a nanosecond of seconds) as a 128-bit decimal, whose sum is an integer
    sum. A sum of doubles
    depends on the order the engine's threads add the rows in: two builds of the same rows differed in the last bits
    (at 1/5 of the scale preset 18 of 93 tables: the seconds sums, the means, rates and alert bands built on them,
    the churn drivers' order), so a KPI mart was not the same twice. Values must be finite and under 10^(38 - places):
    DuckDB refuses to cast NaN or infinity to a decimal, and the build stops with the model's name (the summed inputs
    are durations, whole seconds within their ceilings in staging, and differences of timestamps). -#}
{% macro sum_exact(expression, places=9, partition_by=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ places }})))
        {%- if partition_by %} over (partition by {{ partition_by }}){% endif %}
        as {{ type_double() }}
    )
{%- endmacro %}

{#- Aggregate: the mean of `expression` (its non-null values), added up exactly (sum_exact); null without values. -#}
{% macro avg_exact(expression, places=9) -%}
    {{ ratio(sum_exact(expression, places), 'count(' ~ expression ~ ')') }}
{%- endmacro %}

{#- Window: the mean of `expression` over the rows of its partition (`partition_by`: the columns, comma-separated),
    added up exactly (sum_exact); null without values. -#}
{% macro avg_exact_over(expression, partition_by, places=9) -%}
    {{ sum_exact(expression, places, partition_by) }}
    / nullif(count({{ expression }}) over (partition by {{ partition_by }}), 0)
{%- endmacro %}
