-- The leg chain behind each phone contact matches the contact: at least one leg, leg numbers 1..n without gaps,
-- the contact's transfer_count = its transfer legs, is_callback = it has a callback leg, and the call-leg
-- count of fct_contact_legs = the staged legs minus the legs int_contacts__exclusions reports (test accounts,
-- outbound calls). Fails with every contact (or the totals row) that disagrees.
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

legs as (

    select * from {{ ref('fct_contact_legs') }}

),

staged_legs as (

    select * from {{ ref('stg_telephony__contact_records') }}

),

exclusions as (

    select * from {{ ref('int_contacts__exclusions') }}

),

leg_summaries as (

    select
        contact_id,
        count(*) as legs,
        max(leg_number) as max_leg_number,
        sum(case when is_transfer_leg then 1 else 0 end) as transfer_legs,
        max(case when is_callback_leg then 1 else 0 end) as callback_legs
    from legs
    where channel = 'phone'
    group by contact_id

),

contact_mismatches as (

    select
        contacts.contact_id,
        contacts.transfer_count,
        leg_summaries.legs,
        leg_summaries.max_leg_number,
        leg_summaries.transfer_legs
    from contacts
    left join leg_summaries
        on contacts.contact_id = leg_summaries.contact_id
    where
        contacts.channel = 'phone'
        and (
            leg_summaries.contact_id is null
            or leg_summaries.max_leg_number <> leg_summaries.legs
            or leg_summaries.transfer_legs <> contacts.transfer_count
            or (leg_summaries.callback_legs = 1) <> contacts.is_callback
        )

),

staged_leg_count as (

    select count(*) as staged
    from staged_legs

),

excluded_leg_count as (

    select sum(excluded_records) as excluded
    from exclusions
    where source_system = 'telephony'

),

kept_leg_count as (

    select count(*) as kept
    from legs
    where channel = 'phone'

),

totals as (

    select
        'all phone legs' as contact_id,
        staged_leg_count.staged,
        excluded_leg_count.excluded,
        kept_leg_count.kept
    from staged_leg_count
    cross join excluded_leg_count
    cross join kept_leg_count

),

total_mismatches as (

    select
        contact_id,
        cast(null as {{ dbt.type_bigint() }}) as transfer_count,
        kept as legs,
        staged as max_leg_number,
        excluded as transfer_legs
    from totals
    where staged - excluded <> kept

),

final as (

    select * from contact_mismatches
    union all
    select * from total_mismatches

)

select * from final
