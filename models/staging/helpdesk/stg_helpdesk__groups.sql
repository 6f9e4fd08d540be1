with

source as (

    select * from {{ source('helpdesk', 'group') }}

),

renamed as (

    select
        {{ clean_text('id') }} as group_id,
        {{ clean_text('name') }} as group_name,
        _source_file,
        _export_date,
        _landed_at,
        _row_number
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
            order by _export_date desc, _landed_at desc, _row_number desc
        ) as version_rank,
        count(*) over (partition by group_id) as versions_merged
    from keyed

),

final as (

    select
        group_id,
        group_name,
        versions_merged,
        _source_file,
        _export_date,
        _landed_at
    from ranked
    where version_rank = 1

)

select * from final
