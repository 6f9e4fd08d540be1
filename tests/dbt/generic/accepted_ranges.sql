{#- Fails with one row per column of ``ranges`` holding values outside its bounds: (column_name, out_of_range_rows).
    ``ranges`` maps each column to its bounds: min_value and/or max_value, inclusive unless inclusive: false. Nulls
    pass: a required column is also listed in the model's not_null_columns. One scan and one test node per model,
    where a test per column made a dbt node and a Dagster asset check each (docs/performance.md). -#}
{% test accepted_ranges(model, ranges) %}

with out_of_range as (

    select
        {%- for column, bounds in ranges.items() %}
        {%- set inclusive = bounds.get('inclusive', true) %}
        sum(
            case
                when {{ column }} is null then 0
                {%- if bounds.get('min_value') is not none %}
                when {{ column }} {{ '<' if inclusive else '<=' }} {{ bounds['min_value'] }} then 1
                {%- endif %}
                {%- if bounds.get('max_value') is not none %}
                when {{ column }} {{ '>' if inclusive else '>=' }} {{ bounds['max_value'] }} then 1
                {%- endif %}
                else 0
            end
        ) as out_of_range_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

{{ failing_columns('out_of_range', ranges, 'out_of_range_rows') }}

{% endtest %}
