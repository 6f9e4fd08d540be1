{#- Every export file in its current state: its latest landing attempt. Rules in _int_landing__current_files.yml. -#}
{{ config(materialized='view') }}

with manifest as (

    select * from {{ ref('stg_landing__manifest') }}

),

{# a file without an export day is refused by its path at landing and never reaches a raw table (nor, since, the
    manifest); a row an older landing wrote without one is not a day's file either #}
final as (

    select * from manifest
    where is_latest_attempt and export_date is not null

)

select * from final
