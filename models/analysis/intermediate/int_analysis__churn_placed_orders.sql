{#- The orders the churn analysis counts: placed (not cancelled) orders of known customers. Rules in
    _int_analysis__churn_inputs.yml. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        customer_id,
        ordered_date,
        amount,
        currency,
        is_paid
    from orders
    where
        status <> 'cancelled'
        and customer_id is not null

)

select * from final
