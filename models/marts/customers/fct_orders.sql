{#- One row per order of a real customer (test accounts excluded upstream). Incremental by changed key
    (macros/incremental/changed_keys.sql): a daily build recomputes the orders whose record changed (a new order, a
    refund of an old one) and the orders of the customers whose CRM record changed (flagged as a test account, or
    first exported after their orders). -#}
{%- set changes = [
    ['order_id', 'stg_crm__orders', 'order_id'],
    ['customer_id', 'stg_crm__customers', 'customer_id'],
] -%}
{%- set raw_tables = ['crm__orders', 'crm__customers'] -%}
{{ changed_keys_config(changes, raw_tables) }}

with all_orders as (

    select * from {{ ref('int_customers__orders') }}

),

orders as (

    select * from all_orders
    where {{ in_changed_keys(changes, raw_tables) }}

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
