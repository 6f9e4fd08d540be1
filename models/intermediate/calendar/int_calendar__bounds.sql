{#- One row: the dates the calendar (int_calendar__dates, dim_date, the MetricFlow time spine) covers, from the
    dates the data holds. Rules in _int_calendar__bounds.yml. -#}
{%- set calendar_start = var('calendar_start', none) -%}
{%- set calendar_end = var('calendar_end', none) -%}
{#- Every date a model computes on: export days, the record times of the facts, the schedules and the worked examples
    of business_seconds (int_business_hours__example_results): (relation, first date, last date) -#}
{%- set date_sources = [
    ('manifest', 'export_date', 'export_date'),
    ('contact_records', 'cast(initiated_at as date)', 'cast(disconnected_at as date)'),
    ('agent_events', 'cast(event_at as date)', 'cast(event_at as date)'),
    ('tickets', 'cast(created_at as date)', 'cast(updated_at as date)'),
    ('field_history', 'cast(changed_at as date)', 'cast(changed_at as date)'),
    ('chat_sessions', 'cast(requested_at as date)', 'cast(ended_at as date)'),
    ('survey_responses', 'cast(sent_at as date)', 'cast(responded_at as date)'),
    ('schedules', 'schedule_date', 'schedule_date'),
    ('business_hours_examples', 'cast(start_at as date)', 'cast(end_at as date)'),
] -%}

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

data_dates as (

    {%- for relation, first_date, last_date in date_sources %}
        select
            min({{ first_date }}) as first_date,
            max({{ last_date }}) as last_date
        from {{ relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

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
