{#- The canonical per-channel contact columns of int_contacts__calls, int_contacts__chats and int_contacts__tickets,
    in order, with their type family (string, timestamp, double, bigint or boolean), and the union of the three on
    that list, each column cast to its type: the one place the canonical list is written.
    entry_time_zone: the time zone of the site serving the contact's entry point, which dates a contact that reached
    no queue and no agent (calls: the caller's country, seeds/caller_countries.csv); null where the queue always
    decides. The list lives in the macro that loops over it (a macro returning a list renders as text in the
    SQL linter's plain Jinja). -#}
{% macro union_contact_channels(channel_relations) -%}
    {%- set canonical_columns = [
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
        ('entry_time_zone', 'string'),
    ] -%}
    {%- for relation in channel_relations %}
    select
        {%- for column_name, type_family in canonical_columns %}
        cast({{ column_name }} as {{ contact_column_type(type_family) }}) as {{ column_name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The SQL type of a canonical contact column's type family. -#}
{% macro contact_column_type(family) -%}
    {%- if family == 'string' -%}{{ dbt.type_string() }}
    {%- elif family == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- elif family == 'double' -%}{{ type_double() }}
    {%- elif family == 'bigint' -%}{{ dbt.type_bigint() }}
    {%- elif family == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- else -%}{{ exceptions.raise_compiler_error('unknown contact column type ' ~ family) }}
    {%- endif -%}
{%- endmacro %}
