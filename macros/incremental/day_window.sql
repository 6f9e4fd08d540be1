{#- Day-window incremental models (issue 16): a daily build recomputes only the days its new exports can change.

    A model opts in with
        config(materialized='incremental', incremental_strategy='append',
               pre_hook="{{ delete_day_window('date_day', lookback_days=N) }}",
               post_hook=["{{ forget_day_window() }}", "{{ record_day_window() }}"])
    and filters what it computes with `where {{ in_day_window('date_day', lookback_days=N) }}` (and, to read less,
    its inputs with a wider `lookback_days`). On a full build (first build, --full-refresh) every filter is true
    and nothing is deleted.

    The window. Every incremental model keeps, in intermediate._day_window_watermarks, the newest landing attempt
    (raw._landing_manifest.attempt_id) its last successful build had read. On the next build its window starts at
    the earliest export day of the attempts landed since (new, re-sent, late or quarantined files alike), minus
    var('late_record_days') (the raw gates quarantine a daily file's records older than its export day minus 7
    days, so no record of such a file is older) and minus the model's own `lookback_days` (how far back a new
    record can change an earlier day: the FCR look-ahead, a session across midnight). Every day from there on is
    deleted and recomputed, later days included (a schedule plans weeks ahead). A history dump (export_kind
    history: records of any age) opens everything. No new attempt: the window starts on 9999-12-31 (nothing).

    Agents: `agent_column` also reopens every day of an agent whose first roster period starts in the window (a
    new hire's earlier events took the default time zone and the first roster version) and deletes the rows of
    agents that no longer exist (an unrostered agent whom the roster now names).

    What no landing says: a changed seed, model, var or CCW_PII_SALT changes history without a new file; build
    with --full-refresh after such a change (README "Operate"). -#}


{#- Where the watermarks are kept: a table of the intermediate schema (not a model: every day-window model writes
    its own row in its post-hooks). -#}
{% macro day_window_watermarks() -%}
    intermediate._day_window_watermarks
{%- endmacro %}


{#- on-run-start (dbt_project.yml): the watermark table, created once. -#}
{% macro create_day_window_schema() -%}
    create schema if not exists intermediate
{%- endmacro %}

{% macro create_day_window_watermarks() -%}
    {{ return(adapter.dispatch('create_day_window_watermarks', 'contact_center')()) }}
{%- endmacro %}

{% macro default__create_day_window_watermarks() -%}
    create table if not exists {{ day_window_watermarks() }} (
        model_name {{ dbt.type_string() }},
        manifest_attempt_id {{ dbt.type_bigint() }},
        recorded_at {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{#- Spark: in the models' table format (var spark_file_format), so that forget_day_window can delete where it can. -#}
{% macro spark__create_day_window_watermarks() -%}
    {{ default__create_day_window_watermarks() }}
    using {{ var('spark_file_format', 'parquet') }}
{%- endmacro %}


{#- The newest landing attempt the model's last successful build read (-1 when it has none): a scalar subquery. -#}
{% macro watermark_attempt_id() -%}
    coalesce((
        select max(manifest_attempt_id)
        from {{ day_window_watermarks() }}
        where model_name = '{{ this.identifier if this is not none }}'
    ), -1)
{%- endmacro %}


{#- The first day the model recomputes (a scalar subquery; see above). -#}
{% macro day_window_start(lookback_days=0) -%}
    {%- set days_back = (var('late_record_days', 7) | int) + lookback_days -%}
    (
        select
            coalesce(
                min(
                    case
                        when export_kind = 'history' then cast('1900-01-01' as date)
                        else cast({{ dbt.dateadd('day', -days_back, 'export_date') }} as date)
                    end
                ),
                cast('9999-12-31' as date)
            )
        from {{ ref('stg_landing__manifest') }}
        where
            outcome in ('landed', 'replaced', 'quarantined')
            and attempt_id > {{ watermark_attempt_id() }}
    )
{%- endmacro %}


{#- Agents whose whole history the window reopens: their first roster period starts in the window. -#}
{% macro day_window_new_agents(lookback_days=0) -%}
    select agent_id from {{ ref('int_agents__site_history') }}
    where site_period_number = 1 and site_start_date >= {{ day_window_start(lookback_days) }}
{%- endmacro %}


{#- True for the rows the build recomputes: every row on a full build. (The window's SQL is rendered on every
    call: dbt records the refs it holds when it parses the model. A unit test has no `this`: a full build.) -#}
{% macro in_day_window(date_column, lookback_days=0, agent_column=none) -%}
    {%- set window_start = day_window_start(lookback_days) -%}
    {%- set new_agents = day_window_new_agents(lookback_days) if agent_column else none -%}
    {%- if this is not none and is_incremental() -%}
        ({{ date_column }} >= {{ window_start }}
        {%- if agent_column %}
            or {{ agent_column }} in ({{ new_agents }})
        {%- endif %})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- pre-hook: delete what the build recomputes (nothing on a full build). -#}
{% macro delete_day_window(date_column, lookback_days=0, agent_column=none) -%}
    {{ return(adapter.dispatch('delete_day_window', 'contact_center')(date_column, lookback_days, agent_column)) }}
{%- endmacro %}

{#- Spark: a delete needs a table format with row-level writes (delta, iceberg, hudi); on plain Parquet only a full
    build is possible (spark_require_full_refresh). -#}
{% macro spark__delete_day_window(date_column, lookback_days=0, agent_column=none) -%}
    {%- if not spark_supports_row_level_writes() -%}
        {%- do spark_require_full_refresh() -%}
    {%- endif -%}
    {{ default__delete_day_window(date_column, lookback_days, agent_column) }}
{%- endmacro %}

{% macro default__delete_day_window(date_column, lookback_days=0, agent_column=none) -%}
    {%- if this is not none and is_incremental() -%}
        delete from {{ this }}
        where
            {{ in_day_window(date_column, lookback_days, agent_column) }}
            {%- if agent_column %}
            or {{ agent_column }} not in (select agent_id from {{ ref('int_agents__site_history') }})
            {%- endif %}
    {%- endif -%}
{%- endmacro %}


{#- post-hooks: the newest landing attempt this build has read (two statements: one per hook). -#}
{% macro forget_day_window() -%}
    {{ return(adapter.dispatch('forget_day_window', 'contact_center')()) }}
{%- endmacro %}

{% macro default__forget_day_window() -%}
    delete from {{ day_window_watermarks() }} where model_name = '{{ this.identifier }}'
{%- endmacro %}

{#- Spark on plain Parquet cannot delete: the model's older rows stay (nothing: an empty hook is skipped). Harmless:
    day_window_start reads the newest attempt of the model's rows, and such a target only runs full builds. -#}
{% macro spark__forget_day_window() -%}
    {%- if spark_supports_row_level_writes() -%}
        {{ default__forget_day_window() }}
    {%- endif -%}
{%- endmacro %}

{% macro record_day_window() -%}
    {{ return(adapter.dispatch('record_day_window', 'contact_center')()) }}
{%- endmacro %}

{% macro default__record_day_window() -%}
    insert into {{ day_window_watermarks() }} (model_name, manifest_attempt_id, recorded_at)
    select '{{ this.identifier }}', max(attempt_id), current_timestamp
    from {{ ref('stg_landing__manifest') }}
{%- endmacro %}

{#- Spark on plain Parquet records nothing either: such a target only runs full builds, which read no watermark, and
    two models' inserts into the one Parquet table at once (dbt's two threads) race in Hadoop's output committer: the
    first job's commit deletes the `_temporary` folder the other still writes to ("chmod: cannot access
    .../_day_window_watermarks/_temporary/...", a clean-clone `make test`, 2026-12-05). -#}
{% macro spark__record_day_window() -%}
    {%- if spark_supports_row_level_writes() -%}
        {{ default__record_day_window() }}
    {%- endif -%}
{%- endmacro %}
