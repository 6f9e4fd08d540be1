{#- The tickets every KPI counts: int_tickets__tickets without the deleted ones. Rules in _int_tickets__kept.yml. -#}
{{ config(materialized='view') }}

with tickets as (

    select * from {{ ref('int_tickets__tickets') }}

),

{# Deleted tickets (status deleted, or deleted in the source) stay out of every KPI: a deleted ticket is no contact
    and has no fct_tickets row (data_quality_daily counts them per day as deleted_tickets; kpi_ticket_backlog_daily
    counts the day one was deleted, from int_tickets__tickets). #}
final as (

    select * from tickets
    where not coalesce(is_deleted, false)

)

select * from final
