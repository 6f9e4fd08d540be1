-- Every staged ticket is either kept in int_tickets__tickets or excluded as a test-account ticket (its
-- requester is flagged in stg_helpdesk__users); int_tickets__metrics has one row per kept ticket and
-- int_contacts__tickets one per kept ticket that is not deleted. Returns a row when a count disagrees.
with staged as (

    select
        staged_tickets.ticket_id,
        coalesce(requesters.is_test_account, false) as is_test_account
    from {{ ref('stg_helpdesk__tickets') }} as staged_tickets
    left join {{ ref('stg_helpdesk__users') }} as requesters
        on staged_tickets.requester_id = requesters.user_id

),

counts as (

    select
        (select count(*) from staged) as staged_tickets,
        (
            select count(*) from staged
            where is_test_account
        ) as test_account_tickets,
        (select count(*) from {{ ref('int_tickets__tickets') }}) as kept_tickets,
        (
            select count(*) from {{ ref('int_tickets__tickets') }}
            where is_deleted
        ) as deleted_tickets,
        (select count(*) from {{ ref('int_tickets__metrics') }}) as metric_rows,
        (select count(*) from {{ ref('int_contacts__tickets') }}) as contact_rows

),

final as (

    select * from counts
    where
        staged_tickets <> kept_tickets + test_account_tickets
        or metric_rows <> kept_tickets
        or contact_rows <> kept_tickets - deleted_tickets

)

select * from final
