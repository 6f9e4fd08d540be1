{#- The daily service mart loses and invents no contact: per local date x channel, its offered, answered,
    abandoned and IVR-contained counts equal the counts of fct_contacts (and the totals match because every
    date x channel is compared in both directions). Any row returned fails. -#}
with daily as (

    select * from {{ ref('kpi_service_daily') }}

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

mart_totals as (

    select
        date_day,
        channel,
        sum(contacts) as contacts,
        sum(offered) as offered,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(ivr_contained) as ivr_contained
    from daily
    group by
        date_day,
        channel

),

fact_totals as (

    select
        arrived_date_local as date_day,
        channel,
        count(*) as contacts,
        sum(case when is_offered then 1 else 0 end) as offered,
        sum(case when is_offered and is_answered then 1 else 0 end) as answered,
        sum(case when is_offered and is_abandoned then 1 else 0 end) as abandoned,
        sum(case when is_ivr_contained then 1 else 0 end) as ivr_contained
    from contacts
    group by
        arrived_date_local,
        channel

),

compared as (

    select
        coalesce(mart_totals.date_day, fact_totals.date_day) as date_day,
        coalesce(mart_totals.channel, fact_totals.channel) as channel,
        mart_totals.contacts as mart_contacts,
        fact_totals.contacts as fact_contacts,
        mart_totals.offered as mart_offered,
        fact_totals.offered as fact_offered,
        mart_totals.answered as mart_answered,
        fact_totals.answered as fact_answered,
        mart_totals.abandoned as mart_abandoned,
        fact_totals.abandoned as fact_abandoned,
        mart_totals.ivr_contained as mart_ivr_contained,
        fact_totals.ivr_contained as fact_ivr_contained
    from mart_totals
    full outer join fact_totals
        on
            mart_totals.date_day = fact_totals.date_day
            and mart_totals.channel = fact_totals.channel

),

final as (

    select *
    from compared
    where
        mart_contacts is null
        or fact_contacts is null
        or mart_contacts <> fact_contacts
        or mart_offered <> fact_offered
        or mart_answered <> fact_answered
        or mart_abandoned <> fact_abandoned
        or mart_ivr_contained <> fact_ivr_contained

)

select * from final
