{#- Amazon Connect's agent event stream: the canonical agent state of one AgentSnapshot (JSON text), as
    stg_telephony__agent_events documents it. Contacts first (an agent talking, holding or wrapping up is doing that
    whatever their status), then the agent status by its type: ROUTABLE is available, OFFLINE is logged out, a CUSTOM
    status is the aux state of the same name (BREAK, LUNCH, TRAINING, MEETING) or NOT_READY; anything else is OTHER.
    Null when there is no snapshot. -#}
{% macro agent_snapshot_contact_states(snapshot) -%}
    coalesce(json_extract_string({{ snapshot }}, '$.Contacts[*].State'), [])
{%- endmacro %}

{% macro agent_snapshot_state(snapshot) -%}
    case
        when {{ snapshot }} is null then null
        when list_has_any({{ agent_snapshot_contact_states(snapshot) }}, ['CONNECTED', 'CONNECTED_ONHOLD'])
            then 'ON_CONTACT'
        when list_contains({{ agent_snapshot_contact_states(snapshot) }}, 'ENDED') then 'AFTER_CONTACT_WORK'
        when list_has_any({{ agent_snapshot_contact_states(snapshot) }}, ['MISSED', 'REJECTED', 'ERROR'])
            then 'NOT_READY'
        when upper(trim(json_extract_string({{ snapshot }}, '$.AgentStatus.Type'))) = 'ROUTABLE' then 'AVAILABLE'
        when upper(trim(json_extract_string({{ snapshot }}, '$.AgentStatus.Type'))) = 'OFFLINE' then 'LOGOUT'
        when upper(trim(json_extract_string({{ snapshot }}, '$.AgentStatus.Type'))) = 'CUSTOM'
            then case
                when upper(trim(json_extract_string({{ snapshot }}, '$.AgentStatus.Name')))
                    in ('BREAK', 'LUNCH', 'TRAINING', 'MEETING')
                    then upper(trim(json_extract_string({{ snapshot }}, '$.AgentStatus.Name')))
                else 'NOT_READY'
            end
        else 'OTHER'
    end
{%- endmacro %}

{#- True when the agent holds a contact on hold and talks on none (CONNECTED_ONHOLD only); null without a snapshot. -#}
{% macro agent_snapshot_on_hold(snapshot) -%}
    case
        when {{ snapshot }} is null then null
        else
            list_contains({{ agent_snapshot_contact_states(snapshot) }}, 'CONNECTED_ONHOLD')
            and not list_contains({{ agent_snapshot_contact_states(snapshot) }}, 'CONNECTED')
    end
{%- endmacro %}
