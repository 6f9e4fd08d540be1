{#- One row per local date from var calendar_start to var calendar_end (inclusive). The generator needs no query
    while compiling (so the model can be unit tested): it numbers enough days to cover every calendar year of the
    range (366 per year) and keeps those up to calendar_end. ISO fields are derived portably from the week's
    Thursday: the ISO year is the Thursday's year, the ISO week counts Thursdays from 1 January of that year. -#}
{%- set calendar_start = var('calendar_start', '2025-01-01') | string -%}
{%- set calendar_end = var('calendar_end', '2027-12-31') | string -%}
{%- set day_budget = ((calendar_end[:4] | int) - (calendar_start[:4] | int) + 1) * 366 -%}
{%- if calendar_end < calendar_start -%}
    {{ exceptions.raise_compiler_error(
        'calendar_end ' ~ calendar_end ~ ' is before calendar_start ' ~ calendar_start) }}
{%- endif -%}
{#- 2024-01-01 was a Monday: the ISO weekday is the distance to it modulo 7, plus 1. -#}
{%- set a_monday = "cast('2024-01-01' as date)" -%}
{%- set month_names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'] -%}
{%- set weekday_names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] -%}

with day_numbers as (

    {{ dbt.generate_series(day_budget) }}

),

candidate_dates as (

    select
        cast(
            {{ dbt.dateadd('day', 'generated_number - 1', "cast('" ~ calendar_start ~ "' as date)") }} as date
        ) as date_day
    from day_numbers

),

dates as (

    select date_day
    from candidate_dates
    where date_day <= cast('{{ calendar_end }}' as date)

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
