{#- A year in which contacts arrived at a queue kept to business hours, at a site for which seeds/holidays.csv has
    no holiday in that year (site, first day of the year, contacts). Its holidays then count as working days in the
    business-hours windows, the business-time durations and the service level of business-time queues. A warning,
    not an error: a centre that brings years of history adds the holidays of those years to seeds/holidays.csv
    (README: "Partial deployments and data of any years"), and a site that keeps no holidays can leave the warning. -#}
{{ config(severity='warn') }}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

holidays as (

    select * from {{ ref('int_calendar__site_holidays') }}

),

business_hours_contacts as (

    select
        queues.site,
        cast({{ dbt.date_trunc('year', 'contacts.arrived_date_local') }} as date) as year_start
    from contacts
    inner join queues
        on contacts.queue_id = queues.queue_id
    where
        queues.business_hours_schedule is not null
        and contacts.arrived_date_local is not null

),

site_years as (

    select
        site,
        year_start,
        count(*) as contacts
    from business_hours_contacts
    group by
        site,
        year_start

),

holiday_years as (

    select distinct
        site,
        cast({{ dbt.date_trunc('year', 'holiday_date') }} as date) as year_start
    from holidays

),

final as (

    select
        site_years.site,
        site_years.year_start,
        site_years.contacts
    from site_years
    left join holiday_years
        on
            site_years.site = holiday_years.site
            and site_years.year_start = holiday_years.year_start
    where holiday_years.site is null

)

select * from final
