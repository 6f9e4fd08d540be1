-- Every call leg reaches the first leg of its chain within var call_chain_max_depth hops (default 6): a leg still
-- having a predecessor after the bounded walk (a longer chain, or a PreviousContactId cycle) would split its
-- contact. Fails with those legs.
with call_legs as (

    select * from {{ ref('int_contacts__call_legs') }}

),

final as (

    select
        contact_id,
        leg_id,
        leg_number
    from call_legs
    where is_chain_truncated

)

select * from final
