{#- Issue-type KPIs per local date x issue type x channel: volume, K06, K07, K17, K22-K23, share of the day's
    channel volume and the trend against the same weekday of the previous 4 weeks. Rules in
    _kpi_issue_type_daily.yml. -#}
{%- set baseline_weeks = 4 -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

offered_contacts as (

    select *
    from contacts
    where is_offered

),

contact_daily as (

    select
        arrived_date_local as date_day,
        issue_type,
        channel,
        count(*) as volume,
        {{ count_where('is_answered') }} as answered,
        {{ duration_aggregates('first_response') }},
        {{ duration_aggregates('first_response_business', percentiles=false) }},
        {{ duration_aggregates('resolution') }},
        {{ duration_aggregates('resolution_business', percentiles=false) }},
        {{ count_where("is_answered and fcr_status = 'resolved_first_contact'") }} as fcr_resolved_first_contact,
        {{ count_where(
            "is_answered and fcr_status in ('resolved_first_contact', 'repeat_contact', 'unresolved')"
        ) }} as fcr_denominator
    from offered_contacts
    group by
        arrived_date_local,
        issue_type,
        channel

),

surveyed_contacts as (

    select
        offered_contacts.arrived_date_local as date_day,
        offered_contacts.issue_type,
        offered_contacts.channel,
        survey_responses.is_responded,
        survey_responses.csat,
        survey_responses.is_csat_top2
    from survey_responses
    inner join offered_contacts
        on survey_responses.contact_id = offered_contacts.contact_id

),

survey_daily as (

    select
        date_day,
        issue_type,
        channel,
        {{ csat_aggregates() }}
    from surveyed_contacts
    group by
        date_day,
        issue_type,
        channel

),

data_dates as (

    select
        min(date_day) as first_date,
        max(date_day) as last_date
    from contact_daily

),

calendar as (

    select
        dates.date_day,
        data_dates.first_date
    from dates
    cross join data_dates
    where dates.date_day between data_dates.first_date and data_dates.last_date

),

issue_channels as (

    select distinct
        issue_type,
        channel
    from contact_daily

),

grid as (

    select
        calendar.date_day,
        issue_channels.issue_type,
        issue_channels.channel,
        cast(floor({{ dbt.datediff('calendar.first_date', 'calendar.date_day', 'day') }} / 7) as {{ dbt.type_int() }})
            as elapsed_weeks
    from calendar
    cross join issue_channels

),

daily_volumes as (

    select
        grid.date_day,
        grid.issue_type,
        grid.channel,
        case
            when grid.elapsed_weeks > {{ baseline_weeks }} then {{ baseline_weeks }}
            else grid.elapsed_weeks
        end as baseline_weeks,
        coalesce(contact_daily.volume, 0) as volume
    from grid
    left join contact_daily
        on
            grid.date_day = contact_daily.date_day
            and grid.channel = contact_daily.channel
            and grid.issue_type is not distinct from contact_daily.issue_type

),

channel_volumes as (

    select
        date_day,
        channel,
        cast(sum(volume) as {{ dbt.type_bigint() }}) as channel_volume
    from daily_volumes
    group by
        date_day,
        channel

),

baselines as (

    select
        current_days.date_day,
        current_days.issue_type,
        current_days.channel,
        cast(sum(previous_days.volume) as {{ dbt.type_bigint() }}) as baseline_volume
    from daily_volumes as current_days
    inner join daily_volumes as previous_days
        on
            current_days.channel = previous_days.channel
            and current_days.issue_type is not distinct from previous_days.issue_type
            and current_days.date_day > previous_days.date_day
            and previous_days.date_day >= {{ dbt.dateadd('day', -7 * baseline_weeks, 'current_days.date_day') }}
            and {{ dbt.datediff('previous_days.date_day', 'current_days.date_day', 'day') }} in (
                {{ range(7, 7 * baseline_weeks + 1, 7) | join(', ') }}
            )
    group by
        current_days.date_day,
        current_days.issue_type,
        current_days.channel

),

joined as (

    select
        daily_volumes.date_day,
        daily_volumes.issue_type,
        daily_volumes.channel,
        daily_volumes.volume,
        channel_volumes.channel_volume,
        daily_volumes.baseline_weeks,
        case when daily_volumes.baseline_weeks > 0 then coalesce(baselines.baseline_volume, 0) end
            as baseline_volume,
        coalesce(contact_daily.answered, 0) as answered,
        {{ duration_carried('first_response', 'contact_daily') }},
        {{ duration_carried('first_response_business', 'contact_daily', percentiles=false) }},
        {{ duration_carried('resolution', 'contact_daily') }},
        {{ duration_carried('resolution_business', 'contact_daily', percentiles=false) }},
        coalesce(contact_daily.fcr_resolved_first_contact, 0) as fcr_resolved_first_contact,
        coalesce(contact_daily.fcr_denominator, 0) as fcr_denominator,
        {{ csat_carried('survey_daily') }}
    from daily_volumes
    inner join channel_volumes
        on
            daily_volumes.date_day = channel_volumes.date_day
            and daily_volumes.channel = channel_volumes.channel
    left join baselines
        on
            daily_volumes.date_day = baselines.date_day
            and daily_volumes.channel = baselines.channel
            and daily_volumes.issue_type is not distinct from baselines.issue_type
    left join contact_daily
        on
            daily_volumes.date_day = contact_daily.date_day
            and daily_volumes.channel = contact_daily.channel
            and daily_volumes.issue_type is not distinct from contact_daily.issue_type
    left join survey_daily
        on
            daily_volumes.date_day = survey_daily.date_day
            and daily_volumes.channel = survey_daily.channel
            and daily_volumes.issue_type is not distinct from survey_daily.issue_type

),

final as (

    select
        date_day,
        issue_type,
        channel,
        volume,
        channel_volume,
        {{ ratio('volume', 'channel_volume') }} as share_of_volume,
        baseline_weeks,
        baseline_volume,
        {{ ratio('baseline_volume', 'baseline_weeks') }} as baseline_mean_volume,
        case
            when baseline_volume > 0
                then cast(volume as {{ type_double() }}) * baseline_weeks / baseline_volume - 1
        end as volume_change_vs_baseline,
        answered,
        {{ duration_kpis('first_response') }},
        {{ duration_kpis('first_response_business', percentiles=false) }},
        {{ duration_kpis('resolution') }},
        {{ duration_kpis('resolution_business', percentiles=false) }},
        fcr_resolved_first_contact,
        fcr_denominator,
        {{ ratio('fcr_resolved_first_contact', 'fcr_denominator') }} as fcr_rate,
        csat_sum,
        csat_responses,
        {{ ratio('csat_sum', 'csat_responses') }} as csat_avg,
        csat_top2_responses,
        {{ ratio('csat_top2_responses', 'csat_responses') }} as csat_pct
    from joined

)

select * from final
