{#- Chat KPIs per local date x entry page x UTM source x device: volume, missed rate, K06 and K22-K23. Rules in
    _kpi_customer_source_daily.yml. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

chats as (

    select *
    from contacts
    where
        channel = 'chat'
        and is_offered

),

chat_daily as (

    select
        arrived_date_local as date_day,
        entry_page,
        utm_source,
        device,
        count(*) as volume,
        {{ count_where('is_answered') }} as answered,
        {{ count_where('not coalesce(is_answered, false)') }} as missed,
        {{ duration_aggregates('first_response') }}
    from chats
    group by
        arrived_date_local,
        entry_page,
        utm_source,
        device

),

surveyed_chats as (

    select
        chats.arrived_date_local as date_day,
        chats.entry_page,
        chats.utm_source,
        chats.device,
        survey_responses.is_responded,
        survey_responses.csat,
        survey_responses.is_csat_top2
    from survey_responses
    inner join chats
        on survey_responses.contact_id = chats.contact_id

),

survey_daily as (

    select
        date_day,
        entry_page,
        utm_source,
        device,
        {{ csat_aggregates() }}
    from surveyed_chats
    group by
        date_day,
        entry_page,
        utm_source,
        device

),

joined as (

    select
        chat_daily.*,
        {{ csat_carried('survey_daily') }}
    from chat_daily
    left join survey_daily
        on
            chat_daily.date_day = survey_daily.date_day
            {%- for column in ['entry_page', 'utm_source', 'device'] %}
                and chat_daily.{{ column }} is not distinct from survey_daily.{{ column }}
            {%- endfor %}

),

final as (

    select
        date_day,
        entry_page,
        utm_source,
        device,
        volume,
        answered,
        missed,
        {{ ratio('missed', 'volume') }} as missed_rate,
        {{ duration_kpis('first_response') }},
        csat_sum,
        csat_responses,
        {{ ratio('csat_sum', 'csat_responses') }} as csat_avg,
        csat_top2_responses,
        {{ ratio('csat_top2_responses', 'csat_responses') }} as csat_pct
    from joined

)

select * from final
