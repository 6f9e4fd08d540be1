{#- Staffing per 30-minute interval x live queue for the next 14 days (period 'forecast') and the last 4 weeks
    (period 'backtest'): forecast contacts -> Erlang C requirement (K28, macro erlang_c) -> scheduled agents (K29)
    -> gap; the backtest rows carry the requirement from the actual contacts and the logged-in agents beside it.
    Rules in _staffing_requirements.yml. -#}
{%- set interval_seconds = 1800 -%}
{%- set aht_window_days = 28 -%}

with forecast as (

    select * from {{ ref('int_analysis__volume_forecast') }}

),

service_interval as (

    select * from {{ ref('kpi_service_interval') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

live_forecast as (

    select
        forecast.*,
        queues.service_level_threshold_seconds,
        queues.service_level_target,
        queues.max_occupancy,
        queues.shrinkage,
        extract(hour from forecast.interval_start_at_local) * 60
        + extract(minute from forecast.interval_start_at_local) as minute_of_day
    from forecast
    inner join queues
        on forecast.queue_id = queues.queue_id
    where queues.is_synchronous

),

origins as (

    select distinct
        queue_id,
        forecast_origin_date
    from live_forecast

),

aht_history as (

    select
        origins.queue_id,
        origins.forecast_origin_date,
        service_interval.sum_handle_seconds,
        service_interval.handled_with_handle_time,
        extract(hour from service_interval.interval_start_at_local) * 60
        + extract(minute from service_interval.interval_start_at_local) as minute_of_day
    from origins
    inner join service_interval
        on
            origins.queue_id = service_interval.queue_id
            and origins.forecast_origin_date > service_interval.date_day
            and {{ dbt.dateadd('day', -aht_window_days, 'origins.forecast_origin_date') }}
            <= service_interval.date_day

),

aht_by_time_of_day as (

    select
        queue_id,
        forecast_origin_date,
        minute_of_day,
        {{ ratio(sum_exact('sum_handle_seconds'), 'sum(handled_with_handle_time)') }} as aht_seconds
    from aht_history
    group by
        queue_id,
        forecast_origin_date,
        minute_of_day

),

aht_by_queue as (

    select
        queue_id,
        forecast_origin_date,
        {{ ratio(sum_exact('sum_handle_seconds'), 'sum(handled_with_handle_time)') }} as aht_seconds
    from aht_history
    group by
        queue_id,
        forecast_origin_date

),

schedule_horizons as (

    select
        queue_id,
        max(date_day) as last_scheduled_date
    from service_interval
    where scheduled_agent_seconds > 0
    group by queue_id

),

staffing_inputs as (

    select
        live_forecast.*,
        coalesce(aht_by_time_of_day.aht_seconds, aht_by_queue.aht_seconds) as staffing_aht_seconds,
        case
            when aht_by_time_of_day.aht_seconds is not null then 'queue_time_of_day'
            when aht_by_queue.aht_seconds is not null then 'queue'
        end as staffing_aht_basis,
        {{ interval_seconds }} as interval_seconds,
        live_forecast.date_day <= schedule_horizons.last_scheduled_date as is_scheduled_period,
        cast(ceil(
            {{ dbt.datediff('schedule_horizons.last_scheduled_date', 'live_forecast.date_day', 'day') }} / 7.0
        ) as {{ dbt.type_int() }}) as projection_weeks_back
    from live_forecast
    left join schedule_horizons
        on live_forecast.queue_id = schedule_horizons.queue_id
    left join aht_by_time_of_day
        on
            live_forecast.queue_id = aht_by_time_of_day.queue_id
            and live_forecast.forecast_origin_date = aht_by_time_of_day.forecast_origin_date
            and live_forecast.minute_of_day = aht_by_time_of_day.minute_of_day
    left join aht_by_queue
        on
            live_forecast.queue_id = aht_by_queue.queue_id
            and live_forecast.forecast_origin_date = aht_by_queue.forecast_origin_date

),

required_from_forecast as (

    {{ erlang_c(
        'staffing_inputs',
        ['queue_id', 'period', 'interval_start_at'],
        offered='forecast_contacts',
        aht_seconds='staffing_aht_seconds',
        interval_seconds='interval_seconds',
        sl_threshold_seconds='service_level_threshold_seconds',
        sl_target='service_level_target',
        max_occupancy='max_occupancy',
    ) }}

),

required_from_upper_80 as (

    {{ erlang_c(
        'staffing_inputs',
        ['queue_id', 'period', 'interval_start_at'],
        offered='upper_80',
        aht_seconds='staffing_aht_seconds',
        interval_seconds='interval_seconds',
        sl_threshold_seconds='service_level_threshold_seconds',
        sl_target='service_level_target',
        max_occupancy='max_occupancy',
    ) }}

),

with_projection_key as (

    select
        staffing_inputs.*,
        {{ dbt.dateadd(
            'day', '-7 * staffing_inputs.projection_weeks_back', 'staffing_inputs.interval_start_at_local'
        ) }} as projection_interval_start_at_local
    from staffing_inputs

),

joined as (

    select
        with_projection_key.*,
        schedule_horizons.last_scheduled_date,
        required_from_forecast.traffic_erlangs,
        required_from_forecast.required_agents,
        required_from_forecast.service_level_at_required,
        required_from_forecast.occupancy_at_required,
        required_from_upper_80.required_agents as required_agents_upper_80,
        planned.scheduled_agent_seconds as planned_agent_seconds,
        projected.scheduled_agent_seconds as projected_agent_seconds,
        actual.offered as actual_offered,
        actual.required_agents as actual_required_agents,
        actual.logged_in_agents
    from with_projection_key
    left join required_from_forecast
        on
            with_projection_key.queue_id = required_from_forecast.queue_id
            and with_projection_key.period = required_from_forecast.period
            and with_projection_key.interval_start_at = required_from_forecast.interval_start_at
    left join required_from_upper_80
        on
            with_projection_key.queue_id = required_from_upper_80.queue_id
            and with_projection_key.period = required_from_upper_80.period
            and with_projection_key.interval_start_at = required_from_upper_80.interval_start_at
    left join service_interval as planned
        on
            with_projection_key.queue_id = planned.queue_id
            and with_projection_key.interval_start_at = planned.interval_start_at
            and with_projection_key.is_scheduled_period
    left join service_interval as projected
        on
            with_projection_key.queue_id = projected.queue_id
            and with_projection_key.projection_interval_start_at_local = projected.interval_start_at_local
            and not with_projection_key.is_scheduled_period
    left join schedule_horizons
        on with_projection_key.queue_id = schedule_horizons.queue_id
    left join service_interval as actual
        on
            with_projection_key.queue_id = actual.queue_id
            and with_projection_key.interval_start_at = actual.interval_start_at
            and with_projection_key.period = 'backtest'

),

final as (

    select
        queue_id,
        channel,
        period,
        cast(forecast_origin_date as date) as forecast_origin_date,
        cast(interval_start_at as {{ dbt.type_timestamp() }}) as interval_start_at,
        cast(interval_end_at as {{ dbt.type_timestamp() }}) as interval_end_at,
        cast(interval_start_at_local as {{ dbt.type_timestamp() }}) as interval_start_at_local,
        cast(date_day as date) as date_day,
        cast(horizon_days as {{ dbt.type_int() }}) as horizon_days,
        is_holiday,
        forecast_contacts,
        upper_80 as forecast_contacts_upper_80,
        staffing_aht_seconds,
        staffing_aht_basis,
        traffic_erlangs,
        required_agents,
        required_agents_upper_80,
        service_level_at_required,
        occupancy_at_required,
        shrinkage,
        cast(ceil(required_agents / (1 - shrinkage) - 1e-9) as {{ dbt.type_bigint() }}) as scheduled_requirement,
        coalesce(planned_agent_seconds, projected_agent_seconds, 0) / {{ interval_seconds }} as scheduled_agents,
        case
            when is_scheduled_period then 'schedule'
            when last_scheduled_date is not null then 'schedule_same_weekday_earlier_week'
            else 'none'
        end as scheduled_agents_basis,
        coalesce(planned_agent_seconds, projected_agent_seconds, 0) / {{ interval_seconds }} - required_agents
            as staffing_gap,
        case when period = 'backtest' then coalesce(actual_offered, 0) end as actual_contacts,
        case
            when period = 'backtest' then coalesce(actual_required_agents, 0)
        end as actual_required_agents,
        case when period = 'backtest' then coalesce(logged_in_agents, 0) end as logged_in_agents,
        case
            when period = 'backtest' then coalesce(logged_in_agents, 0) - coalesce(actual_required_agents, 0)
        end as actual_staffing_gap
    from joined

)

select * from final
