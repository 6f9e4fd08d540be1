{#- The KPI values the alerts watch, one row per grain x queue x period x KPI: queue-days from kpi_service_daily and
    30-minute intervals from kpi_service_interval, each with its direction, target (dim_queues), observation count,
    minimum count, band floor kind and whether the day is a holiday at the queue's site. Rules in
    _int_analysis__alert_observations.yml. -#}
{%- set day_kpis = [
    {'kpi': 'offered', 'kpi_id': 'K01', 'value': 'offered', 'n': 'offered', 'direction': 'both', 'target': none, 'min_n': 20, 'kind': 'count'},
    {'kpi': 'service_level', 'kpi_id': 'K04', 'value': 'service_level', 'n': 'sl_denominator', 'direction': 'higher_is_better', 'target': 'service_level_target', 'min_n': 20, 'kind': 'rate'},
    {'kpi': 'abandon_rate', 'kpi_id': 'K03', 'value': 'abandon_rate', 'n': 'sl_denominator', 'direction': 'lower_is_better', 'target': 'abandon_rate_target', 'min_n': 20, 'kind': 'rate'},
    {'kpi': 'asa_seconds', 'kpi_id': 'K05', 'value': 'asa_seconds', 'n': 'answered_with_wait', 'direction': 'lower_is_better', 'target': 'asa_target_seconds', 'min_n': 20, 'kind': 'seconds'},
    {'kpi': 'aht_seconds', 'kpi_id': 'K10', 'value': 'aht_seconds', 'n': 'handled_with_handle_time', 'direction': 'lower_is_better', 'target': none, 'min_n': 20, 'kind': 'seconds'},
    {'kpi': 'first_response_mean_seconds', 'kpi_id': 'K06', 'value': 'first_response_mean_seconds', 'n': 'first_response_contacts', 'direction': 'lower_is_better', 'target': none, 'min_n': 20, 'kind': 'seconds'},
    {'kpi': 'fcr_rate', 'kpi_id': 'K17', 'value': 'fcr_rate', 'n': 'fcr_denominator', 'direction': 'higher_is_better', 'target': none, 'min_n': 20, 'kind': 'rate'},
    {'kpi': 'csat_pct', 'kpi_id': 'K23', 'value': 'csat_pct', 'n': 'csat_responses', 'direction': 'higher_is_better', 'target': none, 'min_n': 20, 'kind': 'rate'},
] -%}
{%- set interval_kpis = [
    {'kpi': 'offered', 'kpi_id': 'K01', 'value': 'offered', 'n': 'offered', 'direction': 'both', 'target': none, 'min_n': 10, 'kind': 'count'},
    {'kpi': 'service_level', 'kpi_id': 'K04', 'value': 'service_level', 'n': 'sl_denominator', 'direction': 'higher_is_better', 'target': 'service_level_target', 'min_n': 10, 'kind': 'rate'},
    {'kpi': 'abandon_rate', 'kpi_id': 'K03', 'value': 'abandon_rate', 'n': 'sl_denominator', 'direction': 'lower_is_better', 'target': 'abandon_rate_target', 'min_n': 10, 'kind': 'rate'},
    {'kpi': 'asa_seconds', 'kpi_id': 'K05', 'value': 'asa_seconds', 'n': 'answered_with_wait', 'direction': 'lower_is_better', 'target': 'asa_target_seconds', 'min_n': 10, 'kind': 'seconds'},
] -%}

with service_daily as (

    select * from {{ ref('kpi_service_daily') }}

),

service_interval as (

    select * from {{ ref('kpi_service_interval') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

site_holidays as (

    select * from {{ ref('int_calendar__site_holidays') }}

),

queue_days as (

    select
        'queue_day' as grain,
        service_daily.queue_id,
        service_daily.channel,
        service_daily.date_day,
        cast(null as {{ dbt.type_timestamp() }}) as interval_start_at,
        cast(service_daily.date_day as {{ dbt.type_timestamp() }}) as period_start_at_local,
        service_daily.offered,
        service_daily.sl_denominator,
        service_daily.service_level,
        service_daily.abandon_rate,
        service_daily.answered_with_wait,
        service_daily.asa_seconds,
        service_daily.handled_with_handle_time,
        service_daily.aht_seconds,
        service_daily.first_response_contacts,
        service_daily.first_response_mean_seconds,
        service_daily.fcr_denominator,
        service_daily.fcr_rate,
        service_daily.csat_responses,
        service_daily.csat_pct
    from service_daily
    where service_daily.queue_id is not null

),

queue_intervals as (

    select
        'queue_interval' as grain,
        queue_id,
        channel,
        date_day,
        interval_start_at,
        interval_start_at_local as period_start_at_local,
        offered,
        sl_denominator,
        service_level,
        {{ ratio('abandoned - short_abandoned', 'sl_denominator') }} as abandon_rate,
        answered_with_wait,
        asa_seconds
    from service_interval

),

observations as (

    {%- for grain_kpis in [('queue_days', day_kpis), ('queue_intervals', interval_kpis)] %}
        {%- set source = grain_kpis[0] %}
        {%- for item in grain_kpis[1] %}
            select
                {{ source }}.grain,
                {{ source }}.queue_id,
                {{ source }}.channel,
                {{ source }}.date_day,
                {{ source }}.interval_start_at,
                {{ source }}.period_start_at_local,
                '{{ item.kpi }}' as kpi,
                '{{ item.kpi_id }}' as kpi_id,
                '{{ item.direction }}' as direction,
                '{{ item.kind }}' as band_floor_kind,
                cast({{ source }}.{{ item.value }} as {{ type_double() }}) as kpi_value,
                cast({{ source }}.{{ item.n }} as {{ dbt.type_bigint() }}) as observations,
                {{ item.min_n }} as min_observations,
                {%- if item.target %}
                    cast(queues.{{ item.target }} as {{ type_double() }}) as target,
                {%- else %}
                    cast(null as {{ type_double() }}) as target,
                {%- endif %}
                queues.site
            from {{ source }}
            inner join queues
                on {{ source }}.queue_id = queues.queue_id
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        observations.*,
        site_holidays.holiday_date is not null as is_holiday
    from observations
    left join site_holidays
        on
            observations.site = site_holidays.site
            and observations.date_day = site_holidays.holiday_date

)

select * from final
