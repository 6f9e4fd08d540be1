with

source as (

    select * from {{ source('landing', '_quarantine') }}

),

renamed as (

    select
        file_path,
        system as source_system,
        entity,
        checksum as file_checksum,
        reason,
        quarantine_path,
        quarantined_at
    from source

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'file_path', "'|'",
            'file_checksum', "'|'",
            dbt.safe_cast('quarantined_at', dbt.type_string())
        ])) }} as quarantine_event_id,
        file_path,
        source_system,
        entity,
        file_checksum,
        reason,
        quarantine_path,
        quarantined_at
    from renamed

)

select * from final
