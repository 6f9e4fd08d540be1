{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy=staging_incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

source as (

    select * from {{ source('crm', 'orders') }}
    {{ new_landings_only() }}

),

renamed as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        ordered_at,
        amount as amount_exported,
        {{ redact_free_text('upper(' ~ clean_text('currency') ~ ')') }} as currency,
        lower({{ clean_text('status') }}) as status,
        {{ landing_columns() }}
    from source

),

flagged as (

    select
        *,
        case when amount_exported >= 0 then amount_exported end as amount,
        coalesce(amount_exported < 0, false) as has_invalid_amount,
        {{ is_test_account(customer_id_expr='customer_id') }} as is_test_account
    from renamed

),

keyed as (

    select * from flagged
    where order_id is not null

),

final as (

    {#- A refund or cancellation is final: a stale re-export of the paid version never undoes it. -#}
    {{ newest_versions('keyed', ['order_id'], [
            'order_id',
            'customer_id',
            'ordered_at',
            'amount',
            'currency',
            'status',
            'has_invalid_amount',
            'is_test_account'
        ], record_order=[
            "case when status in ('refunded', 'cancelled') then 1 else 0 end desc"
        ]) }}

)

select * from final
