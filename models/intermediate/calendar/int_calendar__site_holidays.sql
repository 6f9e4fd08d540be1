{#- One row per site and local holiday date (seeds/holidays.csv): the per-site holiday calendar. Join on
    (site, holiday_date) with a left join; a date without a row is not a holiday at that site. -#}
with holidays as (

    select * from {{ ref('holidays') }}

),

final as (

    select
        holiday_date,
        trim(site) as site,
        trim(holiday_name) as holiday_name
    from holidays

)

select * from final
