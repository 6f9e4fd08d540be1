{#- Incremental by partition signature (issue 16): a model whose rows fall into partitions (an as-of month) that
    each depend on a known slice of the inputs computes, per partition, a signature of that slice (order-independent
    sums of row hashes); an incremental run computes again only the partitions whose signature differs from the one
    recorded when the model was last built. The Python churn models keep the signature in their rows and replace
    whole months (ccw.pymodels). int_analysis__churn_features (signatures: int_analysis__churn_months, whose YAML
    says what they cover) and analysis_customer_churn_risk (churn_risk_month_signatures) record them in a table of
    their own, intermediate._month_signatures, and merge by row (both configured by month_row_diff_config): of a
    month computed again only the rows that changed are written, so the signature cannot live in the rows. A
    signature in parts (signature_part) lets such a model keep a month whose first part did not change and refresh in
    place only the columns whose part changed (refreshed_months, update_month_columns). -#}


{#- A number per row from its values: sum(row_hash(...)) over a group changes when any value of any row changes
    (a collision is as unlikely as the engine's 64-bit hash allows). -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'contact_center')(columns)) }}
{%- endmacro %}

{#- DuckDB: hash() is a UBIGINT; its sum is a HUGEINT (no overflow). -#}
{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- Spark: xxhash64 (a signed 64-bit number) as a decimal, whose sum widens instead of overflowing. -#}
{% macro spark__row_hash(columns) -%}
    cast(xxhash64({{ columns | join(', ') }}) as decimal(20, 0))
{%- endmacro %}


{#- The incremental strategy of a model merged by partition: `delete+insert` by its unique_key (the partition), or
    `row_diff` (below) for a model merged by row. Spark has no delete+insert (dbt-spark), so such a model only
    builds in full there. -#}
{% macro partition_incremental_strategy(strategy='delete+insert') -%}
    {{ return(adapter.dispatch('partition_incremental_strategy', 'contact_center')(strategy)) }}
{%- endmacro %}

{% macro default__partition_incremental_strategy(strategy='delete+insert') -%}
    {{ return(strategy) }}
{%- endmacro %}

{% macro spark__partition_incremental_strategy(strategy='delete+insert') -%}
    {%- if execute and this is not none and is_incremental() -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": dbt-spark has no delete+insert, which this model's incremental run merges with. "
            ~ "Build it with --full-refresh.") }}
    {%- endif -%}
    {{ return('append') }}
{%- endmacro %}


{#- The `row_diff` incremental strategy (a custom dbt strategy: config incremental_strategy='row_diff'). unique_key
    is [partition column, row key]; the new rows hold every row of the partitions computed again. Of those
    partitions, a stored row stays when a new row has its key and the same values (a hash of every column but the
    keys); the others are deleted, and the new rows that differ are inserted. So a partition computed again costs
    the writes of the rows that changed, not of the whole partition. The keys that differ are found first, from
    keys and hashes alone (a NOT EXISTS of the stored rows against the new ones took 54 s for 22 M rows at 1/5 of
    the scale preset). The partitions computed again are those of the new rows: a partition left without rows is
    emptied by a placeholder, a new row with a null row key, which is inserted for the post-hook to delete (or by a
    post-hook of the model's own). -#}
{% macro get_incremental_row_diff_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set partition, key = arg_dict['unique_key'] -%}
    {%- set changed = source.identifier ~ '__changed' -%}
    {%- set columns, new_columns, stored_values, new_values = [], [], [], [] -%}
    {%- for column in arg_dict['dest_columns'] -%}
        {%- set name = adapter.quote(column.name) -%}
        {%- do columns.append(name) -%}
        {%- do new_columns.append('new_rows.' ~ name) -%}
        {%- if column.name not in [partition, key] -%}
            {%- do stored_values.append('stored_rows.' ~ name) -%}
            {%- do new_values.append('new_rows.' ~ name) -%}
        {%- endif -%}
    {%- endfor %}
    create temporary table {{ changed }} as
    with new_hashes as (
        select
            new_rows.{{ partition }},
            new_rows.{{ key }},
            {{ row_hash(new_values) }} as row_hash
        from {{ source }} as new_rows
    ),

    stored_hashes as (
        select
            stored_rows.{{ partition }},
            stored_rows.{{ key }},
            {{ row_hash(stored_values) }} as row_hash
        from {{ target }} as stored_rows
        where stored_rows.{{ partition }} in (select {{ partition }} from {{ source }})
    )

    select
        coalesce(new_hashes.{{ partition }}, stored_hashes.{{ partition }}) as {{ partition }},
        coalesce(new_hashes.{{ key }}, stored_hashes.{{ key }}) as {{ key }}
    from new_hashes
    full outer join stored_hashes
        on
            new_hashes.{{ partition }} = stored_hashes.{{ partition }}
            and new_hashes.{{ key }} = stored_hashes.{{ key }}
    where
        new_hashes.{{ key }} is null
        or stored_hashes.{{ key }} is null
        or new_hashes.row_hash <> stored_hashes.row_hash;

    delete from {{ target }} as stored_rows
    using {{ changed }}
    where
        stored_rows.{{ partition }} = {{ changed }}.{{ partition }}
        and stored_rows.{{ key }} = {{ changed }}.{{ key }};

    insert into {{ target }} ({{ columns | join(', ') }})
    select {{ new_columns | join(', ') }}
    from {{ source }} as new_rows
    inner join {{ changed }}
        on
            new_rows.{{ partition }} = {{ changed }}.{{ partition }}
            and new_rows.{{ key }} is not distinct from {{ changed }}.{{ key }};

    drop table {{ changed }}
{%- endmacro %}


{#- post-hook: delete the placeholder rows (`placeholder_column` null) an incremental run inserts so that the merge
    deletes what is gone: a partition computed again to no rows or no longer in the inputs (a model merged by
    partition), a row of such a partition (a model merged by row). A full build inserts none. -#}
{% macro delete_placeholder_rows(placeholder_column) -%}
    {{ return(adapter.dispatch('delete_placeholder_rows', 'contact_center')(placeholder_column)) }}
{%- endmacro %}

{% macro default__delete_placeholder_rows(placeholder_column) -%}
    delete from {{ this }} where {{ placeholder_column }} is null
{%- endmacro %}

{#- Spark: only full builds (see partition_incremental_strategy), which leave nothing to delete (an empty hook is
    skipped). -#}
{% macro spark__delete_placeholder_rows(placeholder_column) -%}
{%- endmacro %}


{#- post-hook of a model merged by row whose rows are those of `relation` (by their as_of_month): delete the months
    `relation` no longer has (a month gone, or left without rows, opens no partition of the merge). -#}
{% macro delete_months_not_in(relation) -%}
    {{ return(adapter.dispatch('delete_months_not_in', 'contact_center')(relation)) }}
{%- endmacro %}

{% macro default__delete_months_not_in(relation) -%}
    delete from {{ this }} where as_of_month not in (select as_of_month from {{ relation }})
{%- endmacro %}

{#- Spark: only full builds (see partition_incremental_strategy), which leave nothing to delete (an empty hook is
    skipped; plain Parquet has no DELETE). -#}
{% macro spark__delete_months_not_in(relation) -%}
{%- endmacro %}


{#- Where the recorded signatures are kept: a table of the intermediate schema (not a model: the models write their
    own rows in their post-hooks), created by on-run-start (dbt_project.yml). -#}
{% macro month_signatures_table() -%}
    intermediate._month_signatures
{%- endmacro %}

{% macro create_month_signatures() -%}
    {{ return(adapter.dispatch('create_month_signatures', 'contact_center')()) }}
{%- endmacro %}

{% macro default__create_month_signatures() -%}
    create table if not exists {{ month_signatures_table() }} (
        model_name {{ dbt.type_string() }},
        as_of_month date,
        input_signature {{ dbt.type_string() }}
    )
{%- endmacro %}

{#- Spark: nothing (an empty hook is skipped). The models merged by partition only build in full there
    (partition_incremental_strategy), and a full build reads no recorded signature. -#}
{% macro spark__create_month_signatures() -%}
{%- endmacro %}

{#- The signatures recorded for this model (as_of_month, input_signature): a SELECT for its incremental run. -#}
{% macro recorded_month_signatures() -%}
    select
        as_of_month,
        input_signature
    from {{ month_signatures_table() }}
    where model_name = '{{ this.identifier }}'
{%- endmacro %}

{#- post-hooks: the model's recorded signatures replaced by those it was built from (`signatures`: a relation, or a
    parenthesised query with an alias, of as_of_month, input_signature), every month's, whether computed again or
    not. -#}
{% macro forget_month_signatures() -%}
    {{ return(adapter.dispatch('forget_month_signatures', 'contact_center')()) }}
{%- endmacro %}

{% macro default__forget_month_signatures() -%}
    delete from {{ month_signatures_table() }} where model_name = '{{ this.identifier }}'
{%- endmacro %}

{% macro spark__forget_month_signatures() -%}
{%- endmacro %}

{% macro record_month_signatures(signatures) -%}
    {{ return(adapter.dispatch('record_month_signatures', 'contact_center')(signatures)) }}
{%- endmacro %}

{% macro default__record_month_signatures(signatures) -%}
    insert into {{ month_signatures_table() }} (model_name, as_of_month, input_signature)
    select '{{ this.identifier }}', as_of_month, input_signature
    from {{ signatures }}
{%- endmacro %}

{% macro spark__record_month_signatures(signatures) -%}
{%- endmacro %}


{#- A signature in parts joined by this separator (int_analysis__churn_months): what a month's rows read, one part per
    group of columns that depends on one input, the first part what all of them depend on. -#}
{% macro signature_separator() -%}
    #
{%- endmacro %}

{% macro signature_part(signature, part) -%}
    {{ dbt.split_part(signature, "'" ~ signature_separator() ~ "'", part) }}
{%- endmacro %}


{#- The months whose signature (`signatures`: a query of as_of_month, input_signature) differs from the one recorded
    for this model: a query of one column, as_of_month. With `part` (1, 2, ...), only that part of the signatures is
    compared. -#}
{% macro changed_months(signatures, part=none) -%}
    select changed.as_of_month
    from (
        {%- if part is not none %}
            select
                current_signatures.as_of_month,
                {{ signature_part('current_signatures.input_signature', part) }} as signature_part
            from ({{ signatures }}) as current_signatures
            except
            select
                recorded.as_of_month,
                {{ signature_part('recorded.input_signature', part) }} as signature_part
            from ({{ recorded_month_signatures() }}) as recorded
        {%- else %}
            {{ signatures }}
            except
            {{ recorded_month_signatures() }}
        {%- endif %}
    ) as changed
{%- endmacro %}


{#- The months whose signature changed in part `part` but not in the first part (what every row depends on): their
    rows stay, and only the columns of that part's input are refreshed in place (update_month_columns). -#}
{% macro refreshed_months(signatures, part) -%}
    select part_changed.as_of_month from ({{ changed_months(signatures, part) }}) as part_changed
    except
    select first_part_changed.as_of_month from ({{ changed_months(signatures, 1) }}) as first_part_changed
{%- endmacro %}


{#- post-hook of a model merged by row whose months can change in one group of columns alone (refreshed_months): the
    columns of `rows` (a query of customer_id, as_of_month and the group's columns) set in this model's stored rows
    where they differ. A month whose label window holds a new day, or whose contacts lost a customer resolved anew,
    changes in a few customers' columns; computing and diffing its every row was most of a daily run's cost
    (docs/performance.md). -#}
{% macro update_month_columns(rows) -%}
    {{ return(adapter.dispatch('update_month_columns', 'contact_center')(rows)) }}
{%- endmacro %}

{% macro default__update_month_columns(rows) -%}
    {%- if execute and is_incremental() %}
        {%- set columns = get_columns_in_query(rows) | reject('in', ['customer_id', 'as_of_month']) | list %}
        update {{ this }} as stored_rows
        set
            {%- for column in columns %}
                {{ column }} = refreshed_rows.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from ({{ rows }}) as refreshed_rows
        where
            stored_rows.customer_id = refreshed_rows.customer_id
            and stored_rows.as_of_month = refreshed_rows.as_of_month
            and (
                {%- for column in columns %}
                    stored_rows.{{ column }} is distinct from refreshed_rows.{{ column }}{{ ' or' if not loop.last }}
                {%- endfor %}
            )
    {%- endif %}
{%- endmacro %}

{#- Spark: only full builds (see partition_incremental_strategy), which leave no month to refresh. -#}
{% macro spark__update_month_columns(rows) -%}
{%- endmacro %}
