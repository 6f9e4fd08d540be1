{#- The join condition that picks an agent's version in force at a time: the version whose [valid_from, valid_to)
    holds it, and the agent's first version for a time before it (a contact, state or schedule recorded before the
    roster knew the agent). An agent's versions are contiguous (int_agents__versions: each ends where the next
    begins, the last never ends), so exactly one version matches. The one place this rule is written: int_contacts,
    fct_agent_states, fct_schedules and kpi_agent_daily (by date: valid_from_date, valid_to_date) join with it. -#}
{% macro agent_version_in_force(versions, at, valid_from='valid_from', valid_to='valid_to') -%}
    ({{ at }} >= {{ versions }}.{{ valid_from }} or {{ versions }}.version_number = 1)
    and {{ at }} < {{ versions }}.{{ valid_to }}
{%- endmacro %}
