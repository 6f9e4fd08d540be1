{#- Incremental by partition signature (issue 16): a model whose rows fall into partitions (an as-of month) that
    each depend on a known slice of the inputs computes, per partition, a signature of that slice (order-independent
    sums of row hashes); an incremental run computes again only the partitions whose signature differs from the one
    stored in the model's own rows, and the merge (delete+insert by the partition) replaces exactly those. The Python
    churn models do the same (ccw.pymodels). Used by int_analysis__churn_features; its YAML says what its signature
    covers. -#}


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


{#- The incremental strategy of a model merged by partition: delete+insert by its unique_key. Spark has no
    delete+insert (dbt-spark), so such a model only builds in full there. -#}
{% macro partition_incremental_strategy() -%}
    {{ return(adapter.dispatch('partition_incremental_strategy', 'contact_center')()) }}
{%- endmacro %}

{% macro default__partition_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__partition_incremental_strategy() -%}
    {%- if execute and this is not none and is_incremental() -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": dbt-spark has no delete+insert, which this model's incremental run merges with. "
            ~ "Build it with --full-refresh.") }}
    {%- endif -%}
    {{ return('append') }}
{%- endmacro %}


{#- post-hook: delete the placeholder rows (`placeholder_column` null) an incremental run inserts so that the merge
    empties a partition that was computed again to no rows or left the inputs. A full build inserts none. -#}
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
