{#- Fails with one row per listed column that holds nulls: (column_name, null_rows). dbt's not_null for every
    required column of a model at once: one scan and one test node per model instead of one per column. A dbt test
    node costs dbt (and Dagster, which records each as an asset check) about as much as the query: 490 per-column
    not_null tests were a quarter of a small build's CPU (docs/performance.md). -#}
{% test not_null_columns(model, column_names) %}

with null_counts as (

    select
        {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

{{ failing_columns('null_counts', column_names, 'null_rows') }}

{% endtest %}
