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
