-- Business hours are HH:MM:SS text with close_time after open_time on the same local day (the windows model and
-- the business_seconds macro rely on one window per local date lying within that date).
with business_hours as (

    select * from {{ ref('business_hours') }}

),

final as (

    select
        schedule,
        iso_weekday,
        open_time,
        close_time
    from business_hours
    where
        {{ dbt.length('open_time') }} <> 8
        or {{ dbt.length('close_time') }} <> 8
        or substr(open_time, 3, 1) <> ':'
        or substr(close_time, 3, 1) <> ':'
        or substr(open_time, 6, 1) <> ':'
        or substr(close_time, 6, 1) <> ':'
        or open_time < '00:00:00'
        or close_time > '23:59:59'
        or not close_time > open_time

)

select * from final
