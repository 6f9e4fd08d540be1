-- forecast_contact_volume holds every queue for the 14 local days after the last data day, each day with its
-- full set of half hours (46-50: a DST change day has one hour less or more), and the prediction intervals are
-- ordered: lower_95 <= lower_80 <= upper_80 <= upper_95 and lower_80 <= the forecast rounded up.
-- Returns one row per violation.
with forecast as (

    select * from {{ ref('forecast_contact_volume') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

last_data_day as (

    select max(date_day) as last_date from {{ ref('kpi_service_interval') }}

),

queue_days as (

    select
        queue_id,
        date_day,
        count(*) as intervals
    from forecast
    group by
        queue_id,
        date_day

),

queue_coverage as (

    select
        queues.queue_id,
        count(queue_days.date_day) as days,
        min(queue_days.date_day) as first_date,
        max(queue_days.date_day) as last_date,
        min(queue_days.intervals) as fewest_intervals,
        max(queue_days.intervals) as most_intervals
    from queues
    left join queue_days
        on queues.queue_id = queue_days.queue_id
    group by queues.queue_id

),

coverage_violations as (

    select
        queue_coverage.queue_id,
        'coverage' as violation
    from queue_coverage
    cross join last_data_day
    where
        queue_coverage.days <> 14
        or queue_coverage.first_date <> {{ dbt.dateadd('day', 1, 'last_data_day.last_date') }}
        or queue_coverage.last_date <> {{ dbt.dateadd('day', 14, 'last_data_day.last_date') }}
        or queue_coverage.fewest_intervals < 46
        or queue_coverage.most_intervals > 50

),

interval_violations as (

    select
        queue_id,
        'interval order' as violation
    from forecast
    where
        not (lower_95 <= lower_80 and lower_80 <= upper_80 and upper_80 <= upper_95)
        or lower_80 > ceil(forecast_contacts)
        or upper_80 < floor(forecast_contacts)

),

final as (

    select * from coverage_violations
    union all
    select * from interval_violations

)

select * from final
