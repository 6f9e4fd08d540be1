-- Contacts in fct_contacts = contacts in int_contacts = calls + chats + tickets of the channel models, per
-- channel, and their offered / answered / abandoned counts agree. Fails with every channel whose counts differ.
with fct_contacts as (

    select * from {{ ref('fct_contacts') }}

),

int_contacts as (

    select * from {{ ref('int_contacts') }}

),

calls as (

    select * from {{ ref('int_contacts__calls') }}

),

chats as (

    select * from {{ ref('int_contacts__chats') }}

),

tickets as (

    select * from {{ ref('int_contacts__tickets') }}

),

all_contacts as (

    select
        'fct_contacts' as layer,
        channel,
        is_offered,
        is_answered,
        is_abandoned
    from fct_contacts
    union all
    select
        'int_contacts' as layer,
        channel,
        is_offered,
        is_answered,
        is_abandoned
    from int_contacts
    union all
    select
        'channel_models' as layer,
        channel,
        is_offered,
        is_answered,
        is_abandoned
    from calls
    union all
    select
        'channel_models' as layer,
        channel,
        is_offered,
        is_answered,
        is_abandoned
    from chats
    union all
    select
        'channel_models' as layer,
        channel,
        is_offered,
        is_answered,
        is_abandoned
    from tickets

),

layer_counts as (

    select
        layer,
        channel,
        count(*) as contacts,
        sum(case when is_offered then 1 else 0 end) as offered,
        sum(case when is_answered then 1 else 0 end) as answered,
        sum(case when is_abandoned then 1 else 0 end) as abandoned
    from all_contacts
    group by
        layer,
        channel

),

compared as (

    select
        channel,
        sum(case when layer = 'fct_contacts' then contacts else 0 end) as fct_contacts,
        sum(case when layer = 'int_contacts' then contacts else 0 end) as int_contacts,
        sum(case when layer = 'channel_models' then contacts else 0 end) as channel_model_contacts,
        sum(case when layer = 'fct_contacts' then offered else 0 end) as fct_offered,
        sum(case when layer = 'channel_models' then offered else 0 end) as channel_model_offered,
        sum(case when layer = 'fct_contacts' then answered else 0 end) as fct_answered,
        sum(case when layer = 'channel_models' then answered else 0 end) as channel_model_answered,
        sum(case when layer = 'fct_contacts' then abandoned else 0 end) as fct_abandoned,
        sum(case when layer = 'channel_models' then abandoned else 0 end) as channel_model_abandoned
    from layer_counts
    group by channel

),

final as (

    select * from compared
    where
        fct_contacts <> int_contacts
        or fct_contacts <> channel_model_contacts
        or fct_offered <> channel_model_offered
        or fct_answered <> channel_model_answered
        or fct_abandoned <> channel_model_abandoned

)

select * from final
