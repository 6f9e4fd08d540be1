{#- One row per local date of the calendar. A date is a holiday when any site has a holiday on it; holiday_name
    and holiday_sites list every site's holiday, ordered by site. Per-site questions (is this date a holiday in
    London?) use intermediate.int_calendar__site_holidays, joined on (site, date). -#}
with dates as (

    select * from {{ ref('int_calendar__dates') }}

),

site_holidays as (

    select * from {{ ref('int_calendar__site_holidays') }}

),

holidays_by_date as (

    select
        holiday_date,
        count(*) as holiday_site_count,
        {{ dbt.listagg(
            dbt.concat(['holiday_name', "' ('", 'site', "')'"]),
            "'; '",
            'order by site'
        ) }} as holiday_name,
        {{ dbt.listagg('site', "', '", 'order by site') }} as holiday_sites
    from site_holidays
    group by holiday_date

),

final as (

    select
        dates.date_day,
        dates.year,
        dates.quarter,
        dates.month,
        dates.month_number,
        dates.month_name,
        dates.day_of_month,
        dates.iso_year,
        dates.iso_week,
        dates.iso_year_week,
        dates.week_start_date,
        dates.iso_weekday,
        dates.weekday_name,
        dates.is_weekend,
        holidays_by_date.holiday_date is not null as is_holiday,
        holidays_by_date.holiday_name,
        holidays_by_date.holiday_sites,
        cast(coalesce(holidays_by_date.holiday_site_count, 0) as integer) as holiday_site_count
    from dates
    left join holidays_by_date
        on dates.date_day = holidays_by_date.holiday_date

)

select * from final
