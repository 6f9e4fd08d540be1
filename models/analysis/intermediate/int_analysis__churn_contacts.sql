{#- The contacts the churn analysis counts: those of known customers, with their as-of month (the local month they
    arrived in). Rules in _int_analysis__churn_inputs.yml. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

final as (

    select
        customer_id,
        arrived_date_local,
        is_repeat_contact,
        is_abandoned,
        is_answered,
        is_resolved,
        is_transferred,
        issue_type,
        channel,
        wait_seconds,
        cast({{ dbt.date_trunc('month', 'arrived_date_local') }} as date) as as_of_month
    from contacts
    where customer_id is not null

)

select * from final
