{#- Amazon Connect's agent event stream: the canonical agent state of one AgentSnapshot (JSON text), as
    stg_telephony__agent_events documents it. Contacts first (an agent talking, holding or wrapping up is doing that
    whatever their status), then the agent status by its type: ROUTABLE is available, OFFLINE is logged out, a CUSTOM
    status is the aux state of the same name (BREAK, LUNCH, TRAINING, MEETING) or NOT_READY; anything else is OTHER.
    Null when there is no snapshot. -#}
{% macro agent_snapshot_contact_states(snapshot) -%}
    {{ return(adapter.dispatch('agent_snapshot_contact_states', 'contact_center')(snapshot)) }}
{%- endmacro %}

{% macro default__agent_snapshot_contact_states(snapshot) -%}
    coalesce(json_extract_string({{ snapshot }}, '$.Contacts[*].State'), [])
{%- endmacro %}

{#- Spark: the snapshot's contacts read with a schema (get_json_object has no list result), an empty array without. -#}
{% macro spark__agent_snapshot_contact_states(snapshot) -%}
    coalesce(from_json({{ snapshot }}, 'Contacts array<struct<State: string>>').Contacts.State, array())
{%- endmacro %}

{% macro agent_snapshot_state(snapshot) -%}
    case
        when {{ snapshot }} is null then null
        when {{ list_has_any_of(agent_snapshot_contact_states(snapshot), ['CONNECTED', 'CONNECTED_ONHOLD']) }}
            then 'ON_CONTACT'
        when {{ list_has(agent_snapshot_contact_states(snapshot), "'ENDED'") }} then 'AFTER_CONTACT_WORK'
        when {{ list_has_any_of(agent_snapshot_contact_states(snapshot), ['MISSED', 'REJECTED', 'ERROR']) }}
            then 'NOT_READY'
        when upper(trim({{ json_extract_text(snapshot, "'$.AgentStatus.Type'") }})) = 'ROUTABLE' then 'AVAILABLE'
        when upper(trim({{ json_extract_text(snapshot, "'$.AgentStatus.Type'") }})) = 'OFFLINE' then 'LOGOUT'
        when upper(trim({{ json_extract_text(snapshot, "'$.AgentStatus.Type'") }})) = 'CUSTOM'
            then case
                when upper(trim({{ json_extract_text(snapshot, "'$.AgentStatus.Name'") }}))
                    in ('BREAK', 'LUNCH', 'TRAINING', 'MEETING')
                    then upper(trim({{ json_extract_text(snapshot, "'$.AgentStatus.Name'") }}))
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
            {{ list_has(agent_snapshot_contact_states(snapshot), "'CONNECTED_ONHOLD'") }}
            and not {{ list_has(agent_snapshot_contact_states(snapshot), "'CONNECTED'") }}
    end
{%- endmacro %}


{#- The text at a JSON path (`path` a SQL string literal such as "'$.AgentStatus.Name'"), null when absent. -#}
{% macro json_extract_text(json_expr, path) -%}
    {{ return(adapter.dispatch('json_extract_text', 'contact_center')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_expr, path) -%}
    json_extract_string({{ json_expr }}, {{ path }})
{%- endmacro %}

{% macro spark__json_extract_text(json_expr, path) -%}
    get_json_object({{ json_expr }}, {{ path }})
{%- endmacro %}


{#- List membership: whether a list holds the value (a SQL expression), or any of the values (text constants). -#}
{% macro list_has(list_expr, value_expr) -%}
    {{ return(adapter.dispatch('list_has', 'contact_center')(list_expr, value_expr)) }}
{%- endmacro %}

{% macro default__list_has(list_expr, value_expr) -%}
    list_contains({{ list_expr }}, {{ value_expr }})
{%- endmacro %}

{#- Spark: null elements dropped first (array_compact). Spark's array_contains and arrays_overlap give null, not
    false, when the value is absent and the array holds a null (a contact without a State); DuckDB gives false, and a
    null would turn "on hold and not connected" null. A null array stays null on both. -#}
{% macro spark__list_has(list_expr, value_expr) -%}
    array_contains(array_compact({{ list_expr }}), {{ value_expr }})
{%- endmacro %}

{% macro list_has_any_of(list_expr, values) -%}
    {{ return(adapter.dispatch('list_has_any_of', 'contact_center')(list_expr, values)) }}
{%- endmacro %}

{% macro default__list_has_any_of(list_expr, values) -%}
    list_has_any({{ list_expr }}, [{{ _quoted_texts(values) }}])
{%- endmacro %}

{% macro spark__list_has_any_of(list_expr, values) -%}
    arrays_overlap(array_compact({{ list_expr }}), array({{ _quoted_texts(values) }}))
{%- endmacro %}

{% macro _quoted_texts(values) -%}
    {%- for value in values -%}'{{ value }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}
