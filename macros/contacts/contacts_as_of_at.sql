{#- The as-of time of the contact data: var('as_of_at') when set (a UTC timestamp text), else the latest arrived_at
    of `contacts` (a relation or CTE with an arrived_at column). Windows that have not fully elapsed by then
    (FCR look-ahead, open SLA clocks) are treated as still running. Returns a scalar SQL expression. -#}
{% macro contacts_as_of_at(contacts) -%}
    {%- if var('as_of_at', none) -%}
        cast('{{ var("as_of_at") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        (select max(as_of_contacts.arrived_at) from {{ contacts }} as as_of_contacts)
    {%- endif -%}
{%- endmacro %}


{#- The as-of time of the help-desk status history, as a scalar SQL expression: var('as_of_at') (UTC text) when
    set, else the latest status change of the given relation or CTE (int_tickets__status_timeline). A status still
    running, a ticket's age and the backlog's last day are measured to it. -#}
{% macro tickets_as_of_at(status_timeline) -%}
    {%- if var('as_of_at', none) -%}
        cast('{{ var("as_of_at") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        (select max(as_of_timeline.started_at) from {{ status_timeline }} as as_of_timeline)
    {%- endif -%}
{%- endmacro %}
