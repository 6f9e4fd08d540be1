{#- Completeness per export day x source (raw table): did the day's file land, did landing refuse it (or the raw
    gates set it aside whole as untrusted: quality.quarantined_rows, rule file_not_trusted, for its current
    checksum), or is there none. A day is complete when every source has a landed file of that day and none is
    refused; KPIs of an incomplete day are computed from what is there and carry is_complete_day = false
    (kpi_service_daily, kpi_agent_daily, data_quality_daily). Rules in _quality__models.yml. -#}
with manifest as (

    select * from {{ ref('stg_landing__manifest') }}

),

current_files as (

    select * from {{ ref('int_landing__current_files') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

quarantined_rows as (

    select * from {{ quarantined_rows_relation() }}

),

untrusted_files as (

    select
        source_file,
        file_checksum,
        min(rule_description) as untrusted_reason
    from quarantined_rows
    where rule = 'file_not_trusted'
    group by
        source_file,
        file_checksum

),

judged_files as (

    select
        current_files.*,
        untrusted_files.untrusted_reason,
        untrusted_files.source_file is not null as is_untrusted
    from current_files
    left join untrusted_files
        on
            current_files.file_path = untrusted_files.source_file
            and current_files.file_checksum = untrusted_files.file_checksum

),

landed_versions as (

    {# the rows a file has in its raw table now: those of its latest landed version, even when a later version was
        refused (landing keeps the rows it had) #}
    select
        file_path,
        row_count,
        row_number() over (partition by file_path order by attempt_id desc) as landing_recency
    from manifest
    where outcome in ('landed', 'replaced', 'unchanged') and export_date is not null

),

sources as (

    select distinct
        raw_table,
        source_system,
        entity
    from current_files

),

export_range as (

    select
        min(export_date) as first_export_date,
        max(export_date) as last_export_date
    from current_files

),

source_days as (

    select
        calendar.date_day,
        sources.raw_table,
        sources.source_system,
        sources.entity
    from calendar
    cross join export_range
    cross join sources
    where calendar.date_day between export_range.first_export_date and export_range.last_export_date

),

files_per_day as (

    select
        judged_files.export_date as date_day,
        judged_files.raw_table,
        {{ count_where(
            "judged_files.outcome in ('landed', 'replaced', 'unchanged') and not judged_files.is_untrusted"
        ) }} as files_landed,
        {{ count_where("judged_files.outcome = 'quarantined' or judged_files.is_untrusted") }} as files_refused,
        sum(case when judged_files.is_untrusted then 0 else coalesce(landed_versions.row_count, 0) end)
            as rows_landed,
        min(case when judged_files.outcome = 'quarantined' or judged_files.is_untrusted then judged_files.file_path end)
            as refused_file,
        min(
            case
                when judged_files.outcome = 'quarantined' then judged_files.reason
                when judged_files.is_untrusted then judged_files.untrusted_reason
            end
        ) as refused_reason
    from judged_files
    left join landed_versions
        on
            judged_files.file_path = landed_versions.file_path
            and landed_versions.landing_recency = 1
    group by
        judged_files.export_date,
        judged_files.raw_table

),

source_status as (

    select
        source_days.date_day,
        source_days.source_system,
        source_days.entity as source_entity,
        source_days.raw_table,
        files_per_day.refused_file,
        files_per_day.refused_reason,
        case
            when coalesce(files_per_day.files_refused, 0) > 0 then 'refused'
            when coalesce(files_per_day.files_landed, 0) > 0 then 'landed'
            else 'missing'
        end as file_status,
        coalesce(files_per_day.files_landed, 0) as files_landed,
        coalesce(files_per_day.files_refused, 0) as files_refused,
        coalesce(files_per_day.rows_landed, 0) as rows_landed
    from source_days
    left join files_per_day
        on
            source_days.date_day = files_per_day.date_day
            and source_days.raw_table = files_per_day.raw_table

),

incomplete_source_days as (

    select
        date_day,
        {{ dbt.concat(['raw_table', "' '", 'file_status']) }} as source_label
    from source_status
    where file_status <> 'landed'

),

days as (

    select
        source_status.date_day,
        count(distinct source_status.raw_table) as sources,
        count(distinct incomplete_source_days.source_label) as incomplete_sources
    from source_status
    left join incomplete_source_days
        on source_status.date_day = incomplete_source_days.date_day
    group by source_status.date_day

),

day_lists as (

    select
        date_day,
        {{ dbt.listagg('source_label', "', '", 'order by source_label') }} as incomplete_source_list
    from incomplete_source_days
    group by date_day

),

final as (

    select
        source_status.date_day,
        source_status.source_system,
        source_status.source_entity,
        source_status.raw_table,
        source_status.file_status,
        source_status.file_status = 'landed' as is_complete_source,
        cast(source_status.files_landed as {{ dbt.type_bigint() }}) as files_landed,
        cast(source_status.files_refused as {{ dbt.type_bigint() }}) as files_refused,
        cast(source_status.rows_landed as {{ dbt.type_bigint() }}) as rows_landed,
        source_status.refused_file,
        source_status.refused_reason,
        days.incomplete_sources = 0 as is_complete_day,
        cast(days.incomplete_sources as {{ dbt.type_bigint() }}) as incomplete_sources,
        day_lists.incomplete_source_list
    from source_status
    inner join days
        on source_status.date_day = days.date_day
    left join day_lists
        on source_status.date_day = day_lists.date_day

)

select * from final
