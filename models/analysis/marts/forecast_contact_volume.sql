{#- Contacts forecast per queue x 30-minute interval for the 14 local days after the last data day, with 80 % and
    95 % prediction intervals and the seasonal-naive baseline (int_analysis__volume_forecast, period 'forecast').
    Rules in _forecast_contact_volume.yml. -#}
with forecast as (

    select * from {{ ref('int_analysis__volume_forecast') }}

),

final as (

    select
        cast(queue_id as {{ dbt.type_string() }}) as queue_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(interval_start_at as {{ dbt.type_timestamp() }}) as interval_start_at,
        cast(interval_end_at as {{ dbt.type_timestamp() }}) as interval_end_at,
        cast(interval_start_at_local as {{ dbt.type_timestamp() }}) as interval_start_at_local,
        cast(date_day as date) as date_day,
        cast(forecast_origin_date as date) as forecast_origin_date,
        cast(horizon_days as {{ dbt.type_int() }}) as horizon_days,
        cast(is_holiday as boolean) as is_holiday,
        cast(forecast_contacts as {{ type_double() }}) as forecast_contacts,
        cast(lower_80 as {{ type_double() }}) as lower_80,
        cast(upper_80 as {{ type_double() }}) as upper_80,
        cast(lower_95 as {{ type_double() }}) as lower_95,
        cast(upper_95 as {{ type_double() }}) as upper_95,
        cast(baseline_contacts as {{ type_double() }}) as baseline_contacts,
        cast(profile_contacts as {{ type_double() }}) as profile_contacts,
        cast(holiday_ratio as {{ type_double() }}) as holiday_ratio,
        cast(dispersion_alpha as {{ type_double() }}) as dispersion_alpha,
        cast(training_days as {{ dbt.type_int() }}) as training_days
    from forecast
    where period = 'forecast'

)

select * from final
