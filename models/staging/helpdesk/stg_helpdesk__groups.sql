with

source as (

    select * from {{ source('helpdesk', 'group') }}

),

renamed as (

    select
        {{ clean_text('id') }} as group_id,
        {{ clean_text('name') }} as group_name,
        _source_file as source_file,
        _export_date as export_date,
        _landed_at as landed_at,
        _row_number as row_number_in_file
    from source

),

keyed as (

    select * from renamed
    where group_id is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by group_id
            order by export_date desc, landed_at desc, row_number_in_file desc
        ) as version_rank,
        count(*) over (partition by group_id) as versions_merged
    from keyed

),

final as (

    select
        group_id,
        group_name,
        versions_merged,
        source_file,
        export_date,
        landed_at
    from ranked
    where version_rank = 1

)

select * from final
