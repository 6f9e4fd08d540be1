{#- The columns of a CRM customer profile, in order, the one place the list is written: the columns
    stg_crm__customers keeps of each customer's newest version (before its test-account flag and version columns)
    and int_customers__customers' final select. crm_customer_column_names() is the list, crm_customer_columns() the
    list as a select's column list. -#}
{% macro crm_customer_column_names() -%}
    {{ return([
        'customer_id', 'created_at', 'segment', 'region', 'city', 'signup_source', 'phone_hash', 'email_hash',
        'email_domain', 'has_invalid_phone', 'has_invalid_timestamp',
    ]) }}
{%- endmacro %}


{% macro crm_customer_columns() -%}
    {{ crm_customer_column_names() | join(',\n        ') }}
{%- endmacro %}
