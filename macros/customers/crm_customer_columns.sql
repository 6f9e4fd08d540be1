{#- The columns of a CRM customer profile, in order: the final select of stg_crm__customers (before its test-account
    flag and version columns) and of int_customers__customers, the one place the list is written. -#}
{% macro crm_customer_columns() -%}
    {%- set columns = [
        'customer_id', 'created_at', 'segment', 'region', 'city', 'signup_source', 'phone_hash', 'email_hash',
        'email_domain', 'has_invalid_phone', 'has_invalid_timestamp',
    ] -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}
