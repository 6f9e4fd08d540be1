{#- Changed-key incremental models (issue 16): a daily build recomputes only the rows whose keys its new landings
    touched, for models keyed by an entity rather than by a day (a customer, an order: a refund re-exports an order of
    any age, a customer flagged as a test account takes all their orders with them).

    A model opts in with `{{ changed_keys_config(changes=[...], raw_tables=[...]) }}` at its top and filters what it
    computes with `where {{ in_changed_keys(changes, raw_tables) }}`. `changes` lists, per way a row can change,
    [the model's column, the staging model that says so, that model's key column]: e.g. fct_orders'
    [['order_id', 'stg_crm__orders', 'order_id'], ['customer_id', 'stg_crm__customers', 'customer_id']] (an order
    is recomputed when its own record or its customer's changed). `raw_tables`: the raw tables those staging models
    read.

    What changed. The watermark is the day-window models' (intermediate._day_window_watermarks: the newest landing
    attempt the model's last successful build read). A staging row whose _landed_at is later than that attempt's
    landing time is a version that won since: a new record, or a new version of one (a stale re-export that loses to
    the current version keeps the current row's _landed_at, and changes nothing). Its key's rows are deleted
    (pre-hook) and computed again from the inputs, which also deletes rows the inputs no longer produce for that key.

    Everything is computed again (a full recompute inside an incremental run) when a landing since the watermark
    REPLACED a file of `raw_tables` (a re-sent correction may remove records, which leave no staging row to say so;
    staging rebuilds itself in full then too: forget_replaced_files), when the model has no watermark yet (built by
    an earlier version of the project), or when the kept rows no longer agree with their inputs by `count_check`
    (optional: {'column': a count column of the model, 'counted': the model it counts rows of, 'where': which of them}
    compares the kept rows' sum of the column with the rows of `counted` they count; dim_customers' order_count
    against fct_orders finds an order that moved to another customer, whose old customer no landing names). `gone`
    (optional: [the model's column, an upstream model, its column]) also deletes the rows whose key the upstream
    model no longer has (int_contacts__calls: a contact whose call legs are all gone). A first build and
    --full-refresh compute everything as usual; a changed rule, seed, var or CCW_PII_SALT needs --full-refresh
    (README "Operate"), as for the day windows. The table being empty also computes everything (a pre-hook that
    deleted everything is followed by a body that computes everything).
-#}


{#- The configuration: incremental, appended after the pre-hook's delete, the watermark recorded after. -#}
{% macro changed_keys_config(changes, raw_tables, count_check=none, gone=none) -%}
    {%- set arguments = [changes, raw_tables, count_check, gone] | map('tojson') | join(', ') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_keys(" ~ arguments ~ ") }}",
        post_hook=["{{ forget_day_window() }}", "{{ record_day_window() }}"]
    ) }}
{%- endmacro %}


{#- The landing time of the newest attempt the model's last build read (1900-01-01 when it has none). -#}
{% macro changed_keys_since() -%}
    (
        select coalesce(max(attempted_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ ref('stg_landing__manifest') }}
        where attempt_id <= {{ watermark_attempt_id() }}
    )
{%- endmacro %}


{#- When the model's last build recorded its watermark (a scalar subquery; 1900-01-01 when it has none): what an
    intermediate model's own bookkeeping time (a change entry's fourth element) is compared with. -#}
{% macro changed_keys_recorded_since() -%}
    (
        select coalesce(max(recorded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ day_window_watermarks() }}
        where model_name = '{{ this.identifier if this is not none }}'
    )
{%- endmacro %}


{#- True when the model has recorded no watermark (built by an earlier version of the project, or never). -#}
{% macro changed_keys_unwatermarked() -%}
    not exists (
        select 1 from {{ day_window_watermarks() }}
        where model_name = '{{ this.identifier if this is not none }}'
    )
{%- endmacro %}


{#- The files of `raw_tables` re-sent (landing REPLACED them) since the model's last build: their paths. -#}
{% macro changed_keys_replaced_files(raw_tables) -%}
    select file_path
    from {{ ref('stg_landing__manifest') }}
    where
        outcome = 'replaced'
        and raw_table in ('{{ raw_tables | join("', '") }}')
        and attempt_id > {{ watermark_attempt_id() }}
{%- endmacro %}


{#- True when the run computes everything again (see above; also when the table is empty, so that a pre-hook that
    deleted everything is followed by a body that computes everything). -#}
{% macro changed_keys_recompute_all(raw_tables, touched, count_check=none) -%}
    (
        not exists (select 1 from {{ this }})
        or {{ changed_keys_unwatermarked() }}
        or exists ({{ changed_keys_replaced_files(raw_tables) }})
        {%- if count_check %}
        or not ({{ kept_counts_agree(count_check, touched) }})
        {%- endif %}
    )
{%- endmacro %}


{#- True for a row whose key a staging model says changed since the watermark. A change entry's optional fourth
    element names a column of an incremental intermediate model that says when it computed the row (e.g. the call
    legs' _chain_built_at), compared with the time this model's last build recorded its watermark. -#}
{% macro changed_keys_touched(changes) -%}
    {%- set touched = [] -%}
    {%- for change in changes -%}
        {%- set column, upstream_model, key_column = change[0], change[1], change[2] -%}
        {%- if change | length > 3 -%}
            {%- set changed_since = change[3] ~ ' > ' ~ changed_keys_recorded_since() -%}
        {%- else -%}
            {%- set changed_since = '_landed_at > ' ~ changed_keys_since() -%}
        {%- endif -%}
        {%- do touched.append(
            column ~ ' in (select ' ~ key_column ~ ' from ' ~ ref(upstream_model) ~ ' where ' ~ key_column
            ~ ' is not null and ' ~ changed_since ~ ')'
        ) -%}
    {%- endfor -%}
    ({{ touched | join('\n        or ') }})
{%- endmacro %}


{#- The kept rows (not touched) still count what they counted: the sum of count_check.column over them equals the rows
    of count_check.counted (where count_check.where) of the same keys. -#}
{% macro kept_counts_agree(count_check, touched) -%}
    (select coalesce(sum({{ count_check.column }}), 0) from {{ this }} where not {{ touched }})
    = (select count(*) from {{ ref(count_check.counted) }} where {{ count_check.where }} and not {{ touched }})
{%- endmacro %}


{#- True for the rows the build computes: every row on a full build. (The refs are rendered on every call: dbt records
    them when it parses the model. A unit test has no `this`: a full build.) -#}
{% macro in_changed_keys(changes, raw_tables, count_check=none, gone=none) -%}
    {%- set touched = changed_keys_touched(changes) -%}
    {%- if gone -%}
        {%- set touched = '(' ~ touched ~ ' or ' ~ gone[0] ~ ' not in (select ' ~ gone[2] ~ ' from '
            ~ ref(gone[1]) ~ '))' -%}
    {%- endif -%}
    {%- set recompute_all = changed_keys_recompute_all(raw_tables, touched, count_check) -%}
    {%- if this is not none and is_incremental() -%}
        ({{ touched }}
        or {{ recompute_all }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- pre-hook: delete the rows the build computes again (nothing on a full build). -#}
{% macro delete_changed_keys(changes, raw_tables, count_check=none, gone=none) -%}
    {{ return(adapter.dispatch('delete_changed_keys', 'contact_center')(changes, raw_tables, count_check, gone)) }}
{%- endmacro %}

{% macro default__delete_changed_keys(changes, raw_tables, count_check=none, gone=none) -%}
    {%- if this is not none and is_incremental() -%}
        delete from {{ this }}
        where {{ in_changed_keys(changes, raw_tables, count_check, gone) }}
    {%- endif -%}
{%- endmacro %}

{#- Spark: a delete needs a table format with row-level writes (delta, iceberg, hudi); on plain Parquet only a full
    build is possible (spark_require_full_refresh). -#}
{% macro spark__delete_changed_keys(changes, raw_tables, count_check=none, gone=none) -%}
    {%- if not spark_supports_row_level_writes() -%}
        {%- do spark_require_full_refresh() -%}
    {%- endif -%}
    {{ default__delete_changed_keys(changes, raw_tables, count_check, gone) }}
{%- endmacro %}
