{#- One row per CRM customer who is not an internal test account (excluded here, once). Incremental by changed key
    (macros/incremental/changed_keys.sql): a daily build recomputes the customers whose CRM record changed. -#}
{%- set changes = [['customer_id', 'stg_crm__customers', 'customer_id']] -%}
{%- set raw_tables = ['crm__customers'] -%}
{{ changed_keys_config(changes, raw_tables) }}

with all_customers as (

    select * from {{ ref('stg_crm__customers') }}

),

customers as (

    select * from all_customers
    where {{ in_changed_keys(changes, raw_tables) }}

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
