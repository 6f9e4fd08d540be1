{{
    config(
        materialized='incremental',
        unique_key='group_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('helpdesk', 'group') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ account_scoped(clean_text('id')) }} as group_id,
        {{ redact_free_text(clean_text('name')) }} as group_name,
        {{ fivetran_deleted() }} as is_deleted,
        {{ landing_columns() }}
    from source

),

keyed as (

    select * from renamed
    where group_id is not null

),

final as (

    {{ newest_versions('keyed', ['group_id'], [
            'group_id',
            'group_name',
            'is_deleted'
        ]) }}

)

select * from final
