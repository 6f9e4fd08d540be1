{#- Fails for every row whose column lies outside [min_value, max_value] (or the open interval if inclusive=false).
    Nulls pass: pair with not_null where a value is required. Either bound may be omitted. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- set low_op = '>=' if inclusive else '>' -%}
{%- set high_op = '<=' if inclusive else '<' -%}

with checked as (

    select
        {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null

),

final as (

    select *
    from checked
    where not (
        1 = 1
        {%- if min_value is not none %}
        and checked_value {{ low_op }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        and checked_value {{ high_op }} {{ max_value }}
        {%- endif %}
    )

)

select * from final

{% endtest %}
