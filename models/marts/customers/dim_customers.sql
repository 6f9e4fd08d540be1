{#- One row per CRM customer (test accounts excluded upstream) with segment, region, signup and order history.
    No PII: no names, phones or e-mails, not even hashed (identity resolution lives in int_customers__identifiers).
    Incremental by changed key (macros/incremental/changed_keys.sql): a daily build recomputes the customers whose
    CRM record changed or who have a new or changed order; the kept customers' order counts must still add up to
    their orders in fct_orders (an order moved to another customer leaves no trace in staging), else all are. -#}
{%- set changes = [
    ['customer_id', 'stg_crm__customers', 'customer_id'],
    ['customer_id', 'stg_crm__orders', 'customer_id'],
] -%}
{%- set raw_tables = ['crm__customers', 'crm__orders'] -%}
{%- set count_check = {'column': 'order_count', 'counted': 'fct_orders', 'where': 'is_known_customer'} -%}
{{ changed_keys_config(changes, raw_tables, count_check) }}

with all_customers as (

    select * from {{ ref('int_customers__customers') }}

),

all_orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from all_customers
    where {{ in_changed_keys(changes, raw_tables, count_check) }}

),

{# the orders of the customers computed (their changed-key test, with its count check, evaluated once) #}
orders as (

    select * from all_orders
    where customer_id in (select customers.customer_id from customers)

),

order_summary as (

    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as order_count,
        sum(case when is_paid then 1 else 0 end) as paid_order_count,
        sum(case when is_paid then amount end) as paid_amount,
        {#- one currency when the smallest and the largest agree (a distinct count took a second group-by) #}
        min(case when is_paid then currency end) as paid_currency,
        max(case when is_paid then currency end) as last_paid_currency
    from orders
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.segment,
        customers.region,
        customers.city,
        customers.signup_source,
        customers.created_at as signed_up_at,
        cast(customers.created_at as date) as customer_since,
        order_summary.first_order_at,
        order_summary.last_order_at,
        cast(order_summary.first_order_at as date) as first_order_date,
        cast(order_summary.last_order_at as date) as last_order_date,
        cast(coalesce(order_summary.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(order_summary.paid_order_count, 0) as {{ dbt.type_bigint() }}) as paid_order_count,
        cast(
            case
                when order_summary.paid_currency <> order_summary.last_paid_currency then null
                else coalesce(order_summary.paid_amount, 0)
            end as decimal(18, 2)
        ) as lifetime_paid_amount,
        case
            when order_summary.paid_currency = order_summary.last_paid_currency then order_summary.paid_currency
        end as lifetime_paid_currency,
        coalesce(order_summary.paid_currency <> order_summary.last_paid_currency, false) as has_mixed_currencies,
        order_summary.customer_id is not null as has_orders
    from customers
    left join order_summary
        on customers.customer_id = order_summary.customer_id

)

select * from final
