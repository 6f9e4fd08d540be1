{#- One row per queue (seeds/queues.csv, and the queues the contacts name that it does not configure:
    int_queues__unconfigured), published as dim_queues and read by the contacts, with its channel, site, time zone,
    business hours (schedule key and a readable text) and service targets: the queue's own row in
    seeds/service_targets.csv where there is one, column by column, else the channel's default row. -#}
{%- set weekday_abbreviations = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] -%}

with configured_queues as (

    select * from {{ ref('queues') }}

),

unconfigured_queues as (

    select * from {{ ref('int_queues__unconfigured') }}

),

queues as (

    select
        *,
        true as is_configured
    from configured_queues

    union all

    select
        *,
        false as is_configured
    from unconfigured_queues

),

channels as (

    select * from {{ ref('channels') }}

),

business_hours as (

    select * from {{ ref('business_hours') }}

),

service_targets as (

    select * from {{ ref('service_targets') }}

),

weekdays as (

    {{ dbt.generate_series(7) }}

),

schedules as (

    select distinct business_hours_schedule
    from queues
    where business_hours_schedule is not null

),

schedule_weekdays as (

    select
        schedules.business_hours_schedule,
        cast(weekdays.generated_number as integer) as iso_weekday
    from schedules
    cross join weekdays

),

weekday_hours as (

    select
        schedule_weekdays.business_hours_schedule,
        schedule_weekdays.iso_weekday,
        case
            when business_hours.schedule is null then 'closed'
            else {{ dbt.concat([
                'substr(business_hours.open_time, 1, 5)', "'-'", 'substr(business_hours.close_time, 1, 5)'
            ]) }}
        end as hours_label
    from schedule_weekdays
    left join business_hours
        on
            schedule_weekdays.business_hours_schedule = business_hours.schedule
            and schedule_weekdays.iso_weekday = business_hours.iso_weekday

),

weekday_islands as (

    select
        business_hours_schedule,
        iso_weekday,
        hours_label,
        iso_weekday - row_number() over (
            partition by business_hours_schedule, hours_label
            order by iso_weekday
        ) as island
    from weekday_hours

),

weekday_runs as (

    select
        business_hours_schedule,
        hours_label,
        min(iso_weekday) as first_weekday,
        max(iso_weekday) as last_weekday
    from weekday_islands
    group by
        business_hours_schedule,
        hours_label,
        island

),

run_labels as (

    select
        business_hours_schedule,
        first_weekday,
        {{ dbt.concat([
            weekday_abbreviation('first_weekday', weekday_abbreviations),
            "case when last_weekday = first_weekday then '' else '-' end",
            "case when last_weekday = first_weekday then '' else "
                ~ weekday_abbreviation('last_weekday', weekday_abbreviations) ~ " end",
            "' '",
            'hours_label',
        ]) }} as run_label
    from weekday_runs

),

schedule_texts as (

    select
        business_hours_schedule,
        {{ dbt.listagg('run_label', "'; '", 'order by first_weekday') }} as business_hours_text
    from run_labels
    group by business_hours_schedule

),

channel_defaults as (

    select *
    from service_targets
    where queue_id is null

),

queue_overrides as (

    select *
    from service_targets
    where queue_id is not null

),

final as (

    select
        queues.queue_id,
        queues.queue_name,
        queues.channel,
        channels.label_en as channel_label_en,
        channels.is_synchronous,
        queues.site,
        queues.time_zone,
        queues.source_system,
        queues.source_queue_ref,
        queues.business_hours_schedule,
        coalesce(schedule_texts.business_hours_text, 'not configured') as business_hours_text,
        queues.is_configured,
        {%- for column, data_type in [
            ('service_level_threshold_seconds', 'integer'),
            ('service_level_target', 'double'),
            ('is_business_time', 'boolean'),
            ('short_abandon_threshold_seconds', 'integer'),
            ('fcr_window_days', 'integer'),
            ('max_occupancy', 'double'),
            ('shrinkage', 'double'),
            ('asa_target_seconds', 'integer'),
            ('abandon_rate_target', 'double'),
        ] %}
            cast(
                coalesce(queue_overrides.{{ column }}, channel_defaults.{{ column }}) as {{ data_type }}
            )
                as {{ column }},
        {%- endfor %}
        queue_overrides.queue_id is not null as has_queue_service_targets
    from queues
    left join channels
        on queues.channel = channels.channel
    left join schedule_texts
        on queues.business_hours_schedule = schedule_texts.business_hours_schedule
    left join channel_defaults
        on queues.channel = channel_defaults.channel
    left join queue_overrides
        on queues.queue_id = queue_overrides.queue_id

)

select * from final
