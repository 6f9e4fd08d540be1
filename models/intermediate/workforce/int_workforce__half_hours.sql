{#- The 30-minute spine: one row per UTC half hour over the days of the workforce data (agent events and
    schedules, one day of margin on each side), from the calendar (int_calendar__dates) times the 48 half hours
    of a day. Portable: no engine series or range functions. -#}

with calendar_dates as (

    select * from {{ ref('int_calendar__dates') }}

),

agent_events as (

    select * from {{ ref('stg_telephony__agent_events') }}

),

schedules as (

    select * from {{ ref('stg_workforce__schedules') }}

),

half_hours_of_day as (

    {{ dbt.generate_series(48) }}

),

data_days as (

    select cast(event_at as date) as data_day from agent_events
    where event_at is not null
    union all
    select schedule_date as data_day from schedules
    where schedule_date is not null

),

data_range as (

    select
        {{ dbt.dateadd('day', -1, 'min(data_day)') }} as first_day,
        {{ dbt.dateadd('day', 2, 'max(data_day)') }} as last_day
    from data_days

),

spine_days as (

    select calendar_dates.date_day
    from calendar_dates
    inner join data_range
        on
            calendar_dates.date_day >= data_range.first_day
            and calendar_dates.date_day <= data_range.last_day

),

spine as (

    select
        {{ dbt.dateadd(
            'minute',
            '30 * (half_hours_of_day.generated_number - 1)',
            'cast(spine_days.date_day as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as interval_start_at
    from spine_days
    cross join half_hours_of_day

),

final as (

    select
        interval_start_at,
        {{ dbt.dateadd('minute', 30, 'interval_start_at') }} as interval_end_at
    from spine

)

select * from final
