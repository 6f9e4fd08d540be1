{#- The end of a model-level column test (tests/dbt/generic: not_null_columns, accepted_ranges). ``counts`` is a CTE
    with one count per column of ``column_names``, named ``<count_name>_<n>`` (n: the column's place in the list, from
    1); the test fails with one row per column whose count is above zero: (column_name, <count_name>). -#}
{% macro failing_columns(counts, column_names, count_name) %}

per_column as (

    {%- for column in column_names %}
    select
        '{{ column }}' as column_name,
        {{ count_name }}_{{ loop.index }} as {{ count_name }}
    from {{ counts }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select *
    from per_column
    where {{ count_name }} > 0

)

select * from final

{% endmacro %}
