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
        count(first_response_seconds) as first_response_contacts,
        {{ sum_where('first_response_seconds', 'true') }} as sum_first_response_seconds,
        {{ percentile_cont('first_response_seconds', 0.5) }} as first_response_median_seconds,
        {{ percentile_cont('first_response_seconds', 0.9) }} as first_response_p90_seconds,
        count(first_response_business_seconds) as first_response_business_contacts,
        {{ sum_where('first_response_business_seconds', 'true') }} as sum_first_response_business_seconds,
        count(resolution_seconds) as resolution_contacts,
        {{ sum_where('resolution_seconds', 'true') }} as sum_resolution_seconds,
        {{ percentile_cont('resolution_seconds', 0.5) }} as resolution_median_seconds,
        {{ percentile_cont('resolution_seconds', 0.9) }} as resolution_p90_seconds,
        count(resolution_business_seconds) as resolution_business_contacts,
        {{ sum_where('resolution_business_seconds', 'true') }} as sum_resolution_business_seconds,
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
        {{ sum_where('csat', 'is_responded') }} as csat_sum,
        {{ count_where('is_responded and csat is not null') }} as csat_responses,
        {{ count_where('is_responded and is_csat_top2') }} as csat_top2_responses
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
        coalesce(contact_daily.first_response_contacts, 0) as first_response_contacts,
        contact_daily.sum_first_response_seconds,
        contact_daily.first_response_median_seconds,
        contact_daily.first_response_p90_seconds,
        coalesce(contact_daily.first_response_business_contacts, 0) as first_response_business_contacts,
        contact_daily.sum_first_response_business_seconds,
        coalesce(contact_daily.resolution_contacts, 0) as resolution_contacts,
        contact_daily.sum_resolution_seconds,
        contact_daily.resolution_median_seconds,
        contact_daily.resolution_p90_seconds,
        coalesce(contact_daily.resolution_business_contacts, 0) as resolution_business_contacts,
        contact_daily.sum_resolution_business_seconds,
        coalesce(contact_daily.fcr_resolved_first_contact, 0) as fcr_resolved_first_contact,
        coalesce(contact_daily.fcr_denominator, 0) as fcr_denominator,
        survey_daily.csat_sum,
        coalesce(survey_daily.csat_responses, 0) as csat_responses,
        coalesce(survey_daily.csat_top2_responses, 0) as csat_top2_responses
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
        first_response_contacts,
        sum_first_response_seconds,
        {{ ratio('sum_first_response_seconds', 'first_response_contacts') }} as first_response_mean_seconds,
        cast(first_response_median_seconds as {{ type_double() }}) as first_response_median_seconds,
        cast(first_response_p90_seconds as {{ type_double() }}) as first_response_p90_seconds,
        first_response_business_contacts,
        sum_first_response_business_seconds,
        {{ ratio('sum_first_response_business_seconds', 'first_response_business_contacts') }}
            as first_response_business_mean_seconds,
        resolution_contacts,
        sum_resolution_seconds,
        {{ ratio('sum_resolution_seconds', 'resolution_contacts') }} as resolution_mean_seconds,
        cast(resolution_median_seconds as {{ type_double() }}) as resolution_median_seconds,
        cast(resolution_p90_seconds as {{ type_double() }}) as resolution_p90_seconds,
        resolution_business_contacts,
        sum_resolution_business_seconds,
        {{ ratio('sum_resolution_business_seconds', 'resolution_business_contacts') }}
            as resolution_business_mean_seconds,
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
