with

source as (

    select * from {{ source('workforce', 'schedules') }}

),

renamed as (

    select
        {{ clean_text('agent_id') }} as agent_id,
        {{ clean_text('schedule_date') }} as schedule_date_text,
        lower({{ clean_text('activity') }}) as activity,
        {{ clean_text('start_local') }} as start_local_text,
        {{ clean_text('end_local') }} as end_local_text,
        {{ landing_columns() }}
    from source

),

typed as (

    select
        *,
        {{ safe_to_date('schedule_date_text') }} as schedule_date,
        {{ parse_local_timestamp('start_local_text', 'schedule_date_text') }} as start_local_parsed,
        {{ parse_local_timestamp('end_local_text', 'schedule_date_text') }} as end_local_parsed,
        {{ is_bare_time('start_local_text') }} as is_start_bare_time,
        {{ is_bare_time('end_local_text') }} as is_end_bare_time
    from renamed

),

overnight_adjusted as (

    {#- a bare end time earlier than a bare start time ends on the next day (overnight activity) -#}
    select
        *,
        case
            when is_start_bare_time and is_end_bare_time and end_local_parsed < start_local_parsed
                then {{ dbt.dateadd('day', 1, 'end_local_parsed') }}
            else end_local_parsed
        end as end_local_adjusted
    from typed

),

flagged as (

    select
        *,
        (
            {{ invalid_if_unparsed('schedule_date_text', 'schedule_date') }}
            or {{ invalid_if_unparsed('start_local_text', 'start_local_parsed') }}
            or {{ invalid_if_unparsed('end_local_text', 'end_local_parsed') }}
        ) as has_invalid_timestamp,
        coalesce(
            end_local_adjusted <= start_local_parsed
            or {{ dbt.datediff('start_local_parsed', 'end_local_adjusted', 'second') }}
            > {{ duration_ceiling('activity') }},
            false
        ) as has_invalid_duration
    from overnight_adjusted

),

keyed as (

    select * from flagged
    where agent_id is not null and schedule_date is not null and activity is not null and start_local_text is not null

),

plan_per_agent_day as (

    {#- the newest export that contains an agent-date replaces that agent-date's activities -#}
    select
        agent_id,
        schedule_date,
        max(_export_date) as plan_export_date,
        count(distinct _export_date) as agent_day_exports
    from keyed
    group by agent_id, schedule_date

),

versions_counted as (

    select
        *,
        count(*) over (partition by agent_id, schedule_date, activity, start_local_text) as versions_merged
    from keyed

),

current_plan as (

    select
        versions_counted.*,
        plan_per_agent_day.agent_day_exports
    from versions_counted
    inner join plan_per_agent_day
        on
            versions_counted.agent_id = plan_per_agent_day.agent_id
            and versions_counted.schedule_date = plan_per_agent_day.schedule_date
            and versions_counted._export_date = plan_per_agent_day.plan_export_date

),

ranked as (

    select
        *,
        row_number() over (
            partition by agent_id, schedule_date, activity, start_local_text
            order by _landed_at desc, _row_number desc
        ) as version_rank
    from current_plan

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'agent_id', "'|'",
            dbt.safe_cast('schedule_date', dbt.type_string()), "'|'",
            'activity', "'|'",
            'start_local_text'
        ])) }} as schedule_activity_id,
        agent_id,
        schedule_date,
        activity,
        start_local_parsed as starts_at_local,
        case when not has_invalid_duration then end_local_adjusted end as ends_at_local,
        has_invalid_timestamp,
        has_invalid_duration,
        versions_merged,
        agent_day_exports,
        _source_file,
        _export_date,
        _landed_at
    from ranked
    where version_rank = 1

)

select * from final
