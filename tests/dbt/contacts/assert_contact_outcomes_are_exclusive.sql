-- Every offered contact has exactly one outcome: answered, abandoned, or other (not yet handled, e.g. an open
-- ticket without a reply); a contact that was not offered (IVR-contained) is neither answered nor abandoned.
-- Short abandons are abandons, service-level hits are answered, IVR containment is exactly "not offered".
-- Fails with every contact breaking one of these.
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

final as (

    select
        contact_id,
        channel,
        is_offered,
        is_ivr_contained,
        is_answered,
        is_abandoned,
        is_short_abandon,
        is_within_service_level
    from contacts
    where
        (is_answered and is_abandoned)
        or (not is_offered and (is_answered or is_abandoned))
        or (is_ivr_contained = is_offered)
        or (is_short_abandon and not is_abandoned)
        or (is_within_service_level and not is_answered)

)

select * from final
