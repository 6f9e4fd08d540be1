{#- One row: the dates the calendar (int_calendar__dates, dim_date, the MetricFlow time spine) covers, from the
    dates the data holds. Rules in _int_calendar__bounds.yml. -#}
{%- set calendar_start = var('calendar_start', none) -%}
{%- set calendar_end = var('calendar_end', none) -%}

with manifest as (

    select * from {{ ref('stg_landing__manifest') }}

),

contact_records as (

    select * from {{ ref('stg_telephony__contact_records') }}

),

agent_events as (

    select * from {{ ref('stg_telephony__agent_events') }}

),

tickets as (

    select * from {{ ref('stg_helpdesk__tickets') }}

),

field_history as (

    select * from {{ ref('stg_helpdesk__ticket_field_history') }}

),

chat_sessions as (

    select * from {{ ref('stg_chat__sessions') }}

),

survey_responses as (

    select * from {{ ref('stg_survey__responses') }}

),

schedules as (

    select * from {{ ref('stg_workforce__schedules') }}

),

business_hours_examples as (

    select * from {{ ref('int_business_hours__example_intervals') }}

),

{# Every date a model computes on: export days, the record times of the facts, the schedules and the worked examples
    of business_seconds (int_business_hours__example_results). #}
data_dates as (

    select
        min(export_date) as first_date,
        max(export_date) as last_date
    from manifest

    union all

    select
        min(cast(initiated_at as date)) as first_date,
        max(cast(disconnected_at as date)) as last_date
    from contact_records

    union all

    select
        min(cast(event_at as date)) as first_date,
        max(cast(event_at as date)) as last_date
    from agent_events

    union all

    select
        min(cast(created_at as date)) as first_date,
        max(cast(updated_at as date)) as last_date
    from tickets

    union all

    select
        min(cast(changed_at as date)) as first_date,
        max(cast(changed_at as date)) as last_date
    from field_history

    union all

    select
        min(cast(requested_at as date)) as first_date,
        max(cast(ended_at as date)) as last_date
    from chat_sessions

    union all

    select
        min(cast(sent_at as date)) as first_date,
        max(cast(responded_at as date)) as last_date
    from survey_responses

    union all

    select
        min(schedule_date) as first_date,
        max(schedule_date) as last_date
    from schedules

    union all

    select
        min(cast(start_at as date)) as first_date,
        max(cast(end_at as date)) as last_date
    from business_hours_examples

),

data_range as (

    select
        coalesce(min(first_date), cast({{ dbt.current_timestamp() }} as date)) as data_first_date,
        coalesce(max(last_date), cast({{ dbt.current_timestamp() }} as date)) as data_last_date
    from data_dates

),

{# Whole years: from 1 January of the year of the day before the first date (a UTC instant on 1 January can be
    31 December locally) to 31 December of the year after the last date (local dates east of UTC, forecasts). #}
padded as (

    select
        data_first_date,
        data_last_date,
        cast({{ dbt.date_trunc('year', dbt.dateadd('day', -1, 'data_first_date')) }} as date) as padded_start_date,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 2, dbt.date_trunc('year', 'data_last_date'))) }} as date
        ) as padded_end_date
    from data_range

),

final as (

    select
        data_first_date,
        data_last_date,
        {% if calendar_start -%}
            cast('{{ calendar_start }}' as date)
        {%- else -%}
            padded_start_date
        {%- endif %} as calendar_start_date,
        {% if calendar_end -%}
            cast('{{ calendar_end }}' as date)
        {%- else -%}
            padded_end_date
        {%- endif %} as calendar_end_date
    from padded

)

select * from final
