{#- Fails for every combination of the listed columns that occurs more than once (nulls compare equal). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with grouped as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by
        {{ combination_of_columns | join(',\n        ') }}

),

final as (

    select *
    from grouped
    where row_count > 1

)

select * from final

{% endtest %}
