{#- One row per local date from calendar_start_date to calendar_end_date of int_calendar__bounds (inclusive): the
    whole years the data covers, or the vars calendar_start / calendar_end when set. The generator needs no query
    while compiling: it numbers a fixed budget of days (max_calendar_days, 400 years) and keeps those up to the
    end date. ISO fields are derived portably from the week's Thursday: the ISO year is the Thursday's year, the
    ISO week counts Thursdays from 1 January of that year. -#}
{%- set max_calendar_days = 400 * 366 -%}
{#- 2024-01-01 was a Monday: the ISO weekday is the distance to it modulo 7, plus 1. -#}
{%- set a_monday = "cast('2024-01-01' as date)" -%}
{%- set month_names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'] -%}
{%- set weekday_names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] -%}

with bounds as (

    select * from {{ ref('int_calendar__bounds') }}

),

day_numbers as (

    {{ dbt.generate_series(max_calendar_days) }}

),

candidate_dates as (

    select
        cast(
            {{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.calendar_start_date') }} as date
        ) as date_day,
        bounds.calendar_end_date
    from day_numbers
    cross join bounds

),

dates as (

    select date_day
    from candidate_dates
    where date_day <= calendar_end_date

),

with_weekday as (

    select
        date_day,
        cast(
            mod(mod({{ dbt.datediff(a_monday, 'date_day', 'day') }}, 7) + 7, 7) + 1 as integer
        ) as iso_weekday
    from dates

),

with_week_start as (

    select
        date_day,
        iso_weekday,
        cast({{ dbt.dateadd('day', '1 - iso_weekday', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.dateadd('day', '4 - iso_weekday', 'date_day') }} as date) as week_thursday
    from with_weekday

),

with_iso_year as (

    select
        date_day,
        iso_weekday,
        week_start_date,
        week_thursday,
        cast(extract(year from week_thursday) as integer) as iso_year,
        cast({{ dbt.date_trunc('year', 'week_thursday') }} as date) as iso_year_first_day
    from with_week_start

),

with_iso_week as (

    select
        date_day,
        iso_weekday,
        week_start_date,
        iso_year,
        cast(
            floor({{ dbt.datediff('iso_year_first_day', 'week_thursday', 'day') }} / 7) + 1 as integer
        ) as iso_week
    from with_iso_year

),

with_iso_labels as (

    select
        date_day,
        iso_weekday,
        week_start_date,
        iso_year,
        iso_week,
        cast(iso_year as {{ dbt.type_string() }}) as iso_year_text,
        case
            when iso_week < 10 then {{ dbt.concat(["'0'", "cast(iso_week as " ~ dbt.type_string() ~ ")"]) }}
            else cast(iso_week as {{ dbt.type_string() }})
        end as iso_week_text
    from with_iso_week

),

final as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(quarter from date_day) as integer) as quarter,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month,
        cast(extract(month from date_day) as integer) as month_number,
        case cast(extract(month from date_day) as integer)
            {%- for name in month_names %}
                when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as month_name,
        cast(extract(day from date_day) as integer) as day_of_month,
        iso_year,
        iso_week,
        {{ dbt.concat(['iso_year_text', "'-W'", 'iso_week_text']) }} as iso_year_week,
        week_start_date,
        iso_weekday,
        case iso_weekday
            {%- for name in weekday_names %}
                when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as weekday_name,
        iso_weekday in (6, 7) as is_weekend
    from with_iso_labels

)

select * from final
