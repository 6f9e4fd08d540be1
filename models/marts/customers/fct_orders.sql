{#- One row per order of a real customer (test accounts excluded upstream). -#}
with orders as (

    select * from {{ ref('int_customers__orders') }}

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        cast(ordered_at as date) as ordered_date,
        amount,
        currency,
        status,
        is_paid,
        is_known_customer,
        has_invalid_amount
    from orders

)

select * from final
