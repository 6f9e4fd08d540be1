{#- The configuration of a model incremental by as-of month and merged by row (macros/incremental/month_signatures.sql),
    called at the top of the model. `row_key`: the row's key within its month; `signatures`: the Jinja expression,
    rendered in the post-hook, of the relation (or parenthesised query with an alias) of as_of_month, input_signature
    the model is built from; `emptied_months`: the Jinja expression of the post-hook that empties what the merge
    cannot (placeholder rows, or months gone from the inputs); `refreshes`: the Jinja expressions of the post-hooks
    that refresh in place one group of columns of the months whose signature changed in that group's part alone
    (update_month_columns), run before the signatures are replaced. -#}
{% macro month_row_diff_config(
    row_key, signatures, emptied_months, refreshes=[], on_schema_change='append_new_columns'
) -%}
    {%- set hooks = ["{{ " ~ emptied_months ~ " }}"] -%}
    {%- for refresh in refreshes -%}
        {%- do hooks.append("{{ " ~ refresh ~ " }}") -%}
    {%- endfor -%}
    {{ config(
        materialized='incremental',
        incremental_strategy=partition_incremental_strategy('row_diff'),
        unique_key=['as_of_month', row_key],
        on_schema_change=on_schema_change,
        post_hook=hooks + [
            "{{ forget_month_signatures() }}",
            "{{ record_month_signatures(" ~ signatures ~ ") }}",
        ]
    ) }}
{%- endmacro %}
