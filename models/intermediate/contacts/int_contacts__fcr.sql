{#- K17 first-contact resolution status and K21 repeat-contact flag of every contact, with the N-day look-ahead
    and look-back across channels. Rules in _int_contacts__fcr.yml. -#}
with contacts as (

    select * from {{ ref('int_contacts') }}

),

queues as (

    select * from {{ ref('int_queues__with_targets') }}

),

service_targets as (

    select * from {{ ref('service_targets') }}

),

channel_defaults as (

    select
        channel,
        fcr_window_days
    from service_targets
    where queue_id is null

),

keyed as (

    select
        contacts.contact_id,
        contacts.arrived_at,
        contacts.issue_type,
        contacts.is_answered,
        contacts.is_resolved,
        case
            when contacts.customer_id is not null then {{ dbt.concat(["'customer:'", 'contacts.customer_id']) }}
            when contacts.customer_phone_hash is not null
                then {{ dbt.concat(["'phone:'", 'contacts.customer_phone_hash']) }}
            when contacts.customer_email_hash is not null
                then {{ dbt.concat(["'email:'", 'contacts.customer_email_hash']) }}
            when contacts.helpdesk_user_id is not null
                then {{ dbt.concat(["'helpdesk_user:'", 'contacts.helpdesk_user_id']) }}
            when contacts.chat_customer_id is not null
                then {{ dbt.concat(["'chat_customer:'", 'contacts.chat_customer_id']) }}
        end as customer_key,
        cast(
            coalesce(queues.fcr_window_days, channel_defaults.fcr_window_days, {{ var('fcr_window_days', 7) }})
            as {{ dbt.type_int() }}
        ) as fcr_window_days
    from contacts
    left join queues
        on contacts.queue_id = queues.queue_id
    left join channel_defaults
        on contacts.channel = channel_defaults.channel

),

neighbours as (

    select
        *,
        case
            when
                customer_key is not null
                and issue_type is not null
                and issue_type <> 'unknown'
                and arrived_at is not null
                then lead(arrived_at) over (
                    partition by customer_key, issue_type
                    order by arrived_at, contact_id
                )
        end as next_same_issue_at,
        case
            when customer_key is not null and arrived_at is not null
                then lag(arrived_at) over (
                    partition by customer_key
                    order by arrived_at, contact_id
                )
        end as previous_contact_at
    from keyed

),

windows as (

    select
        *,
        {{ dbt.dateadd('day', 'fcr_window_days', 'arrived_at') }} as fcr_window_ends_at,
        {{ dbt.dateadd('day', '-1 * fcr_window_days', 'arrived_at') }} as repeat_window_starts_at,
        {{ contacts_as_of_at('contacts') }} as as_of_at
    from neighbours

),

statuses as (

    select
        *,
        case
            when not is_answered or customer_key is null or arrived_at is null then null
            when fcr_window_ends_at > as_of_at then 'pending'
            when not is_resolved then 'unresolved'
            when next_same_issue_at <= fcr_window_ends_at then 'repeat_contact'
            else 'resolved_first_contact'
        end as fcr_status,
        case
            when customer_key is null or arrived_at is null then null
            else coalesce(previous_contact_at >= repeat_window_starts_at, false)
        end as is_repeat_contact
    from windows

),

final as (

    select
        contact_id,
        customer_key,
        fcr_window_days,
        fcr_window_ends_at,
        as_of_at,
        next_same_issue_at,
        previous_contact_at,
        fcr_status,
        is_repeat_contact,
        customer_key is not null as has_known_customer
    from statuses

)

select * from final
