{#- One row per order of a real customer: orders flagged as test accounts in staging (TEST customer id) and orders
    of CRM customers flagged as test accounts (e.g. by their @example.test e-mail) are excluded here, once. -#}
with orders as (

    select * from {{ ref('stg_crm__orders') }}

),

crm_customers as (

    select * from {{ ref('stg_crm__customers') }}

),

with_customer as (

    select
        orders.*,
        crm_customers.customer_id is not null as is_known_customer,
        coalesce(crm_customers.is_test_account, false) as is_test_customer
    from orders
    left join crm_customers
        on orders.customer_id = crm_customers.customer_id

),

real_orders as (

    select * from with_customer
    where not is_test_account and not is_test_customer

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        amount,
        currency,
        status,
        is_known_customer,
        has_invalid_amount,
        status = 'paid' as is_paid
    from real_orders

)

select * from final
