-- dim_customers' order counts add up to fct_orders' orders of known customers, and its single-currency
-- lifetime paid amounts to those customers' paid order amounts. Returns a row when a total disagrees.
with orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

single_currency_paid as (

    select sum(orders.amount) as paid_amount
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    where orders.is_paid and not customers.has_mixed_currencies

),

counts as (

    select
        (
            select count(*) from orders
            where is_known_customer
        ) as known_customer_orders,
        (
            select count(*) from orders
            where is_known_customer and is_paid
        ) as known_customer_paid_orders,
        (select coalesce(sum(order_count), 0) from customers) as dim_order_count,
        (select coalesce(sum(paid_order_count), 0) from customers) as dim_paid_order_count,
        (select coalesce(paid_amount, 0) from single_currency_paid) as fact_paid_amount,
        (select coalesce(sum(lifetime_paid_amount), 0) from customers) as dim_paid_amount

),

final as (

    select * from counts
    where
        known_customer_orders <> dim_order_count
        or known_customer_paid_orders <> dim_paid_order_count
        or fact_paid_amount <> dim_paid_amount

)

select * from final
