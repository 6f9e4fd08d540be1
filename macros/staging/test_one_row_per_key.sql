{#- Generic data test: fails for every combination of key_columns that occurs on more than one row
    (a composite primary key; nulls compare equal). -#}
{% test one_row_per_key(model, key_columns) %}

with grouped as (

    select
        {{ key_columns | join(', ') }},
        count(*) as rows_with_key
    from {{ model }}
    group by {{ key_columns | join(', ') }}

),

final as (

    select * from grouped
    where rows_with_key > 1

)

select * from final

{% endtest %}
