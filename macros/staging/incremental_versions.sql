{#- Incremental staging: a staging table keeps the newest version of every record of its source, and a daily build
    only reads the raw rows landed since the table was last built.

    The deduping staging models are incremental (each model's config: materialized incremental, unique_key, the
    strategy of staging_incremental_strategy(): delete+insert on DuckDB, merge on engines without it such as Spark;
    dbt_project.yml sets the staging folder's default, table, and the forget_replaced_files pre-hook). Each model:
      - filters its source CTE with new_landings_only(): on an incremental run, only raw rows whose _landed_at is
        after the table's _landed_watermark (the latest _landed_at the previous build had read);
      - ends with newest_versions(), which lists the entity's columns once. Its candidates are
        with_current_versions()'s: the new rows plus, on an incremental run, the current row in the table of every
        key the new rows touch, carrying its versions_merged; rank_versions() keeps the newest of each key. The
        newest version among (new rows + current winner) is the newest among all versions ever landed, so the
        result equals a full rebuild's, and versions_merged = sum(version_count) adds the new versions to those
        already merged.
    A full rebuild (first build, or dbt build --full-refresh) reads everything. (`this is not none`: unit tests of a
    full build have no `this`.) Needed after changing a staging
    rule, a var it reads (test_account_prefix, phone_default_country_code...) or CCW_PII_SALT. A re-landed
    correction (a file landing REPLACED, which may remove records) rebuilds its model in full by itself: see
    forget_replaced_files below. -#}


{#- The source CTE's filter: nothing on a full build; on an incremental run, the rows landed after the watermark. -#}
{% macro new_landings_only(landed_at_column='_landed_at') -%}
    {%- if this is not none and is_incremental() %}
    where {{ landed_at_column }} > (
        select coalesce(max(_landed_watermark), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
    )
    {%- endif %}
{%- endmacro %}


{#- Candidates for the newest version: `columns` (the model's own output columns; the landing columns _source_file,
    _export_date and _landed_at are added here) and _row_number of the new rows, each weighing one version, plus on an incremental run the
    current rows of the keys they touch, weighing the versions they already merged (their _row_number is null:
    they were landed before every new row, so _landed_at already orders them). Also _landed_watermark: the latest
    _landed_at read by this build, from `read_rows` (the model's source CTE: one column of the raw table). -#}
{% macro with_current_versions(new_rows, key_columns, entity_columns, read_rows='source') -%}
    {%- set columns = entity_columns + ['_source_file', '_export_date', '_landed_at'] -%}
    {%- set column_list = columns | join(',\n        ') -%}
    select
        {{ column_list }},
        _row_number,
        cast(1 as {{ dbt.type_bigint() }}) as version_count,
        (select max(_landed_at) from {{ read_rows }}) as _landed_watermark
    from {{ new_rows }}
    {%- if this is not none and is_incremental() %}
    {%- do require_current_columns(columns + ['versions_merged', '_landed_watermark']) %}
    union all
    select
        {%- for column in columns %}
        current_versions.{{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as _row_number,
        current_versions.versions_merged as version_count,
        (select max(_landed_at) from {{ read_rows }}) as _landed_watermark
    from {{ this }} as current_versions
    inner join (select distinct {{ key_columns | join(', ') }} from {{ new_rows }}) as touched_keys
        on
        {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}current_versions.{{ key }} = touched_keys.{{ key }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}


{#- An incremental run reads these columns of the model's current table: a table built by an earlier version of the
    project without one of them would fail with the engine's binder error. Stop instead with what to do. -#}
{% macro require_current_columns(columns) -%}
    {#- a unit test's `this` is the name of its fixture, not a relation: nothing to check -#}
    {%- if execute and this is not string -%}
        {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = columns | reject('in', existing) | list -%}
        {%- if existing and missing -%}
            {%- do exceptions.raise_compiler_error(
                this ~ ' was built by an earlier version of this project: it has no column ' ~ missing | join(', ')
                ~ ', which the model now keeps. Rebuild it once with `ccw build --full-refresh` (or `dbt build'
                ~ ' --full-refresh --select ' ~ this.identifier ~ '`); later runs are incremental again.'
            ) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The incremental strategy of staging tables: delete+insert where the adapter has it, else merge. -#}
{% macro staging_incremental_strategy() -%}
    {{ return(adapter.dispatch('staging_incremental_strategy', 'contact_center')()) }}
{%- endmacro %}

{% macro default__staging_incremental_strategy() -%}
    {{ return('delete+insert' if target.type in ('duckdb', 'postgres', 'snowflake', 'redshift') else 'merge') }}
{%- endmacro %}

{#- Spark: merge needs a table format with row-level writes (var spark_file_format: delta, iceberg, hudi). On plain
    Parquet (a local pyspark without the Delta jars) a table is only ever written whole: append, which is right for a
    first build or a --full-refresh only, so an incremental run stops here (spark_require_full_refresh). -#}
{% macro spark__staging_incremental_strategy() -%}
    {%- if spark_supports_row_level_writes() -%}
        {{ return('merge') }}
    {%- endif -%}
    {%- do spark_require_full_refresh() -%}
    {{ return('append') }}
{%- endmacro %}


{#- The last step of every deduping staging model: the newest version of each key of `new_rows` (its keyed step),
    as `entity_columns` (listed once, here) then version_columns(). The candidates are with_current_versions()'s,
    ranked by rank_versions() with the entity's `record_order`; `read_rows` is the model's source CTE. -#}
{% macro newest_versions(new_rows, key_columns, entity_columns, record_order=[], read_rows='source') -%}
    {%- set candidates = with_current_versions(new_rows, key_columns, entity_columns, read_rows) -%}
    select
        {{ entity_columns | join(',\n        ') }},
        {{ version_columns() }}
    from (
        {{ rank_versions('(' ~ candidates ~ ') as candidates', key_columns, record_order) }}
    ) as ranked
    where version_rank = 1
{%- endmacro %}


{#- The ranking step of every deduping staging model (inside newest_versions): each candidate (from
    with_current_versions) numbered within its key, newest first (version_rank = 1 wins), and versions_merged = the
    versions of the key ever landed.

    `record_order` is the entity's own ordering question, decided per entity and documented in its model's
    description: the record's own update or response time (e.g. ['last_updated_at desc nulls last']), or a
    precedence a stale re-export must not undo (an answered survey stays answered; a refunded order stays
    refunded). After it, a later export day wins, then a later landing, then a later line of the same file; the
    current row of an incremental run has no _row_number, and sorts after the new rows of its landing. -#}
{% macro rank_versions(candidates, key_columns, record_order=[]) -%}
    {%- set keys = key_columns | join(', ') -%}
    select
        *,
        row_number() over (
            partition by {{ keys }}
            order by
                {%- for ordering in record_order %}
                {{ ordering }},
                {%- endfor %}
                _export_date desc,
                _landed_at desc,
                _row_number desc
        ) as version_rank,
        cast(sum(version_count) over (partition by {{ keys }}) as {{ dbt.type_bigint() }}) as versions_merged
    from {{ candidates }}
{%- endmacro %}


{#- Pre-hook of every staging model (dbt_project.yml): when landing REPLACED a file of the model's source (a re-sent
    file of the same name) after the table was last built, empty the table first, so that this incremental run reads
    every landed row (the watermark of an empty table is none) and rebuilds the model in full. An incremental run
    alone would replace the records the new version contains but keep the ones it no longer contains, keep a
    winner the new version should have lost to an older version of another file, and count the replaced versions
    twice in versions_merged. The delete runs inside the model's transaction: a failed build keeps the table as it
    was. Costs one full rebuild of that model on the run after a correction; nothing otherwise (the manifest's
    replaced attempts of one raw table are compared with the table's watermark). A replacement with no rows (a
    header-only file) moves no watermark, so the model is rebuilt again until its source lands its next file:
    correct, and rare. Nothing for a table model or a full build. -#}
{% macro forget_replaced_files() -%}
    {%- if execute and this is not none and model.sources | length == 1 and is_incremental() -%}
    {%- set raw_table = source(model.sources[0][0], model.sources[0][1]).identifier -%}
    delete from {{ this }}
    where exists (
        select 1
        from {{ source('landing', '_landing_manifest') }} as replaced_files
        where
            lower(replaced_files.outcome) = 'replaced'
            and {{ dbt.concat(['replaced_files.system', "'__'", 'replaced_files.entity']) }} = '{{ raw_table }}'
            and replaced_files.landed_at > (
                select coalesce(max(_landed_watermark), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }}
            )
    )
    {%- endif -%}
{%- endmacro %}


{#- The landing columns every raw row carries, as the renamed step of a staging model selects them (`relation`:
    the qualifier when the step joins, e.g. 'source'). -#}
{% macro landing_columns(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}_source_file,
    {{ prefix }}_export_date,
    {{ prefix }}_landed_at,
    {{ prefix }}_row_number
{%- endmacro %}


{#- The bookkeeping columns of a deduping staging model's output, after the entity's own columns: how many versions
    the winner merged, where it came from, and the watermark of the build that read it. -#}
{% macro version_columns() -%}
    versions_merged,
    _source_file,
    _export_date,
    _landed_at,
    _landed_watermark
{%- endmacro %}


{#- Fivetran's bookkeeping of a help-desk table: its sync time (text, parsed in the typed step) and its soft-delete
    flag (a row Fivetran marked deleted is kept and flagged, never dropped). -#}
{% macro fivetran_sync_columns() -%}
    {{ clean_text('_fivetran_synced') }} as synced_at_text,
    {{ fivetran_deleted() }} as is_deleted
{%- endmacro %}


{% macro fivetran_deleted() -%}
    coalesce({{ safe_to_boolean(clean_text('_fivetran_deleted')) }}, false)
{%- endmacro %}
