{#- One row per call leg or ticket assignment period: the transfer chain behind each phone contact and the
    assignee/group periods behind each ticket. Rules and column definitions in _fct_contact_legs.yml. -#}
with call_legs as (

    select * from {{ ref('int_contacts__call_legs') }}

),

ticket_assignments as (

    select * from {{ ref('int_tickets__assignments') }}

),

contacts as (

    select * from {{ ref('int_contacts') }}

),

agent_versions as (

    select * from {{ ref('dim_agents') }}

),

call_leg_rows as (

    select
        {{ dbt.concat(["'telephony:'", 'leg_id']) }} as contact_leg_id,
        contact_id,
        leg_id as source_leg_id,
        previous_leg_id as source_previous_leg_id,
        leg_number,
        leg_count,
        case
            when is_callback_leg then 'callback'
            when is_transfer_leg then 'transfer'
            else 'inbound'
        end as leg_type,
        initiation_method,
        is_transfer_leg,
        is_callback_leg,
        is_last_leg,
        queue_id,
        agent_id,
        initiated_at as started_at,
        enqueued_at,
        connected_to_agent_at as answered_at,
        disconnected_at as ended_at,
        {{ elapsed_seconds('initiated_at', 'disconnected_at') }} as duration_seconds,
        wait_seconds,
        talk_seconds,
        hold_seconds,
        number_of_holds,
        acw_seconds,
        handle_seconds,
        is_queued,
        is_answered,
        is_unanswered_in_queue,
        disconnect_reason,
        has_missing_previous_leg,
        has_invalid_timestamp,
        has_invalid_duration
    from call_legs

),

assignment_rows as (

    select
        {{ dbt.concat(["'helpdesk:'", 'assignment_id']) }} as contact_leg_id,
        {{ dbt.concat(["'helpdesk:'", 'ticket_id']) }} as contact_id,
        assignment_id as source_leg_id,
        cast(null as {{ dbt.type_string() }}) as source_previous_leg_id,
        assignment_sequence as leg_number,
        count(*) over (partition by ticket_id) as leg_count,
        case when is_transfer then 'transfer' else 'assignment' end as leg_type,
        cast(null as {{ dbt.type_string() }}) as initiation_method,
        is_transfer as is_transfer_leg,
        false as is_callback_leg,
        is_current as is_last_leg,
        queue_id,
        agent_id,
        started_at,
        cast(null as {{ dbt.type_timestamp() }}) as enqueued_at,
        cast(null as {{ dbt.type_timestamp() }}) as answered_at,
        ended_at,
        {{ elapsed_seconds('started_at', 'ended_at') }} as duration_seconds,
        cast(null as {{ type_double() }}) as wait_seconds,
        cast(null as {{ type_double() }}) as talk_seconds,
        cast(null as {{ type_double() }}) as hold_seconds,
        cast(null as {{ dbt.type_bigint() }}) as number_of_holds,
        cast(null as {{ type_double() }}) as acw_seconds,
        cast(null as {{ type_double() }}) as handle_seconds,
        false as is_queued,
        is_assigned as is_answered,
        false as is_unanswered_in_queue,
        cast(null as {{ dbt.type_string() }}) as disconnect_reason,
        false as has_missing_previous_leg,
        false as has_invalid_timestamp,
        false as has_invalid_duration
    from ticket_assignments

),

unioned as (

    select * from call_leg_rows
    union all
    select * from assignment_rows

),

contact_legs as (

    select
        unioned.*,
        contacts.channel,
        contacts.source_system,
        contacts.time_zone
    from unioned
    inner join contacts
        on unioned.contact_id = contacts.contact_id

),

with_agent_version as (

    select
        contact_legs.*,
        agent_versions.agent_key,
        agent_versions.team
    from contact_legs
    left join agent_versions
        on
            contact_legs.agent_id = agent_versions.agent_id
            and coalesce(contact_legs.answered_at, contact_legs.started_at) >= agent_versions.valid_from
            and coalesce(contact_legs.answered_at, contact_legs.started_at) < agent_versions.valid_to

),

final as (

    select
        contact_leg_id,
        contact_id,
        channel,
        source_system,
        source_leg_id,
        source_previous_leg_id,
        cast(leg_number as {{ dbt.type_int() }}) as leg_number,
        cast(leg_count as {{ dbt.type_int() }}) as leg_count,
        leg_type,
        initiation_method,
        is_transfer_leg,
        is_callback_leg,
        is_last_leg,
        queue_id,
        agent_id,
        agent_key,
        team,
        started_at,
        {{ utc_to_local('started_at', 'time_zone') }} as started_at_local,
        enqueued_at,
        answered_at,
        ended_at,
        duration_seconds,
        wait_seconds,
        talk_seconds,
        hold_seconds,
        cast(number_of_holds as {{ dbt.type_bigint() }}) as number_of_holds,
        acw_seconds,
        handle_seconds,
        is_queued,
        is_answered,
        is_unanswered_in_queue,
        disconnect_reason,
        has_missing_previous_leg,
        has_invalid_timestamp,
        has_invalid_duration
    from with_agent_version

)

select * from final
