{#- One row per CRM customer who is not an internal test account (excluded here, once). -#}
with customers as (

    select * from {{ ref('stg_crm__customers') }}

),

real_customers as (

    select * from customers
    where not is_test_account

),

final as (

    select {{ crm_customer_columns() }}
    from real_customers

)

select * from final
