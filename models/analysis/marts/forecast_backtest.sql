{#- The forecast's backtest over the last 4 weeks per queue (and one 'all queues' row): WAPE and MAPE of the model
    beside the seasonal-naive baseline, bias, and the coverage of the prediction intervals. Rules in
    _forecast_backtest.yml. -#}
{%- set scope_columns = [
    'date_day', 'forecast_contacts', 'baseline_contacts', 'actual_contacts', 'lower_80', 'upper_80', 'lower_95',
    'upper_95',
] -%}

with forecast as (

    select * from {{ ref('int_analysis__volume_forecast') }}

),

backtest as (

    select
        queue_id,
        channel,
        date_day,
        forecast_contacts,
        baseline_contacts,
        actual_contacts,
        lower_80,
        upper_80,
        lower_95,
        upper_95
    from forecast
    where period = 'backtest'

),

per_scope as (

    select
        queue_id as scope,
        channel,
        {{ scope_columns | join(', ') }}
    from backtest

    union all

    select
        'all queues' as scope,
        cast(null as {{ dbt.type_string() }}) as channel,
        {{ scope_columns | join(', ') }}
    from backtest

),

aggregated as (

    select
        scope,
        max(channel) as channel,
        min(date_day) as first_date,
        max(date_day) as last_date,
        count(*) as intervals,
        sum(actual_contacts) as actual_contacts,
        {{ sum_exact('forecast_contacts') }} as forecast_contacts,
        {{ sum_exact('abs(actual_contacts - forecast_contacts)') }} as absolute_error,
        {{ sum_exact('abs(actual_contacts - coalesce(baseline_contacts, 0))') }} as baseline_absolute_error,
        {{ sum_where('abs(actual_contacts - forecast_contacts) / actual_contacts', 'actual_contacts > 0') }}
            as sum_ape,
        {{ sum_where(
            'abs(actual_contacts - coalesce(baseline_contacts, 0)) / actual_contacts', 'actual_contacts > 0'
        ) }} as baseline_sum_ape,
        {{ count_where('actual_contacts > 0') }} as intervals_with_contacts,
        {{ count_where('actual_contacts >= lower_80 and actual_contacts <= upper_80') }} as inside_80,
        {{ count_where('actual_contacts >= lower_95 and actual_contacts <= upper_95') }} as inside_95
    from per_scope
    group by scope

),

final as (

    select
        cast(scope as {{ dbt.type_string() }}) as scope,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(first_date as date) as first_date,
        cast(last_date as date) as last_date,
        cast(intervals as {{ dbt.type_bigint() }}) as intervals,
        cast(actual_contacts as {{ type_double() }}) as actual_contacts,
        cast(forecast_contacts as {{ type_double() }}) as forecast_contacts,
        {{ ratio('absolute_error', 'actual_contacts') }} as wape,
        {{ ratio('baseline_absolute_error', 'actual_contacts') }} as baseline_wape,
        {{ ratio('sum_ape', 'intervals_with_contacts') }} as mape,
        {{ ratio('baseline_sum_ape', 'intervals_with_contacts') }} as baseline_mape,
        {{ ratio('forecast_contacts - actual_contacts', 'actual_contacts') }} as bias,
        {{ ratio('inside_80', 'intervals') }} as coverage_80,
        {{ ratio('inside_95', 'intervals') }} as coverage_95,
        coalesce(absolute_error < baseline_absolute_error, false) as beats_baseline
    from aggregated

)

select * from final
