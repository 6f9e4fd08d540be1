{#- The canonical per-channel contact columns (int_contacts__calls, int_contacts__chats, int_contacts__tickets), in
    order, with their type family: string, timestamp, double, bigint or boolean. int_contacts unions the three
    channel models on this list and casts every column to its type. -#}
{% macro contact_canonical_columns() -%}
    {{ return([
        ('contact_id', 'string'), ('channel', 'string'), ('source_system', 'string'),
        ('source_contact_id', 'string'), ('source_ids', 'string'), ('queue_id', 'string'),
        ('issue_type', 'string'), ('priority', 'string'), ('customer_ref_id', 'string'),
        ('customer_phone_hash', 'string'), ('customer_email_hash', 'string'), ('helpdesk_user_id', 'string'),
        ('chat_customer_id', 'string'), ('agent_id', 'string'),
        ('arrived_at', 'timestamp'), ('enqueued_at', 'timestamp'), ('answered_at', 'timestamp'),
        ('first_response_at', 'timestamp'), ('resolved_at', 'timestamp'), ('ended_at', 'timestamp'),
        ('wait_seconds', 'double'), ('talk_seconds', 'double'), ('hold_seconds', 'double'),
        ('acw_seconds', 'double'), ('handle_seconds', 'double'),
        ('is_offered', 'boolean'), ('is_ivr_contained', 'boolean'), ('is_answered', 'boolean'),
        ('is_abandoned', 'boolean'), ('is_callback', 'boolean'), ('transfer_count', 'bigint'),
        ('is_resolved', 'boolean'), ('reopen_count', 'bigint'), ('agent_replies', 'bigint'),
        ('entry_page', 'string'), ('utm_source', 'string'), ('device', 'string'), ('referrer', 'string'),
    ]) }}
{%- endmacro %}

{#- The SQL type of a type family of contact_canonical_columns. -#}
{% macro contact_column_type(family) -%}
    {%- if family == 'string' -%}{{ dbt.type_string() }}
    {%- elif family == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- elif family == 'double' -%}{{ type_double() }}
    {%- elif family == 'bigint' -%}{{ dbt.type_bigint() }}
    {%- elif family == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- else -%}{{ exceptions.raise_compiler_error('unknown contact column type ' ~ family) }}
    {%- endif -%}
{%- endmacro %}
