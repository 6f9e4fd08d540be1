with

source as (

    select * from {{ source('landing', '_landing_manifest') }}

),

renamed as (

    select
        attempt_id,
        run_id,
        file_path,
        system as source_system,
        entity,
        export_date,
        checksum as file_checksum,
        bytes as file_bytes,
        rows as row_count,
        file_modified_at,
        landed_at as attempted_at,
        reason,
        lower(outcome) as outcome,
        lower(export_kind) as export_kind
    from source

),

derived as (

    select
        *,
        {{ dbt.concat(['source_system', "'__'", 'entity']) }} as raw_table,
        {{ dbt.datediff('export_date', 'file_modified_at', 'day') }} as arrival_lag_days,
        row_number() over (partition by file_path order by attempt_id desc) as attempt_recency
    from renamed

),

final as (

    select
        attempt_id,
        run_id,
        file_path,
        source_system,
        entity,
        raw_table,
        export_date,
        file_checksum,
        file_bytes,
        row_count,
        file_modified_at,
        attempted_at,
        outcome,
        export_kind,
        reason,
        arrival_lag_days,
        coalesce(arrival_lag_days > {{ var('late_file_lag_days', 1) }}, false) as is_late_file,
        (attempt_recency = 1) as is_latest_attempt
    from derived

)

select * from final
