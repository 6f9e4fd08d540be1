{#- The canonical ticket status of a help desk's status text: new, open, pending, hold, solved, closed, deleted, or
    other for a value outside the mapping (counted as unknown_ticket_status in data_quality_daily). Zendesk writes
    the hold status as "hold" (API) or "on-hold" (the Fivetran connector, the UI). -#}
{% macro ticket_status_synonyms() -%}
    {{ return({
        'new': 'new',
        'open': 'open',
        'pending': 'pending',
        'hold': 'hold',
        'on-hold': 'hold',
        'on_hold': 'hold',
        'solved': 'solved',
        'closed': 'closed',
        'deleted': 'deleted',
    }) }}
{%- endmacro %}

{% macro canonical_ticket_status(expr) -%}
    case
        when {{ expr }} is null then null
        {% for source_value, status in ticket_status_synonyms().items() -%}
            when lower(trim({{ expr }})) = '{{ source_value }}' then '{{ status }}'
        {% endfor -%}
        else 'other'
    end
{%- endmacro %}
