{#- One row per CRM customer who is not an internal test account (excluded here, once). -#}
with customers as (

    select * from {{ ref('stg_crm__customers') }}

),

real_customers as (

    select * from customers
    where not is_test_account

),

final as (

    select
        customer_id,
        created_at,
        segment,
        region,
        city,
        signup_source,
        phone_hash,
        email_hash,
        email_domain,
        has_invalid_phone,
        has_invalid_timestamp
    from real_customers

)

select * from final
