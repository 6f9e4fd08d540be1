{#- The early-warning mart: one row per KPI x grain x queue x period that breached its target or left the band
    expected from the same weekday (and time) of the previous 4 weeks, with severity and evidence. Rules in
    _alerts.yml. -#}
{%- set band_width_sd = 3 -%}
{%- set min_prior_weeks = 3 -%}

with observations as (

    select * from {{ ref('int_analysis__alert_observations') }}

),

weeks_back as (

    {%- for week in range(1, 5) %}
        select {{ week }} as weeks_back
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

usable_priors as (

    select *
    from observations
    where
        not is_holiday
        and kpi_value is not null
        and (band_floor_kind = 'count' or observations >= min_observations)

),

prior_periods as (

    select
        observations.grain,
        observations.queue_id,
        observations.kpi,
        observations.period_start_at_local,
        {{ dbt.dateadd('day', '-7 * weeks_back.weeks_back', 'observations.period_start_at_local') }}
            as prior_period_start_at_local
    from observations
    cross join weeks_back

),

prior_values as (

    select
        prior_periods.grain,
        prior_periods.queue_id,
        prior_periods.kpi,
        prior_periods.period_start_at_local,
        usable_priors.kpi_value as prior_value,
        usable_priors.kpi_value - {{ avg_exact_over(
            'usable_priors.kpi_value',
            'prior_periods.grain, prior_periods.queue_id, prior_periods.kpi, prior_periods.period_start_at_local'
        ) }} as prior_deviation
    from prior_periods
    inner join usable_priors
        on
            prior_periods.grain = usable_priors.grain
            and prior_periods.queue_id = usable_priors.queue_id
            and prior_periods.kpi = usable_priors.kpi
            and prior_periods.prior_period_start_at_local = usable_priors.period_start_at_local

),

prior_stats as (

    select
        grain,
        queue_id,
        kpi,
        period_start_at_local,
        count(*) as prior_weeks,
        {{ avg_exact('prior_value') }} as expected_value,
        {#- the sample standard deviation from exact sums of the centred squares (stddev_samp adds doubles in the
            threads' order) -#}
        sqrt(
            {{ sum_exact('prior_deviation * prior_deviation', places=12) }} / nullif(count(*) - 1, 0)
        ) as prior_sd
    from prior_values
    group by
        grain,
        queue_id,
        kpi,
        period_start_at_local

),

with_floor as (

    select
        observations.*,
        prior_stats.expected_value,
        prior_stats.prior_sd,
        coalesce(prior_stats.prior_weeks, 0) as prior_weeks,
        case observations.band_floor_kind
            when 'count' then sqrt(greatest(prior_stats.expected_value, 0))
            when 'rate'
                then sqrt(
                    greatest(prior_stats.expected_value * (1 - prior_stats.expected_value), 0)
                    / nullif(observations.observations, 0)
                )
            when 'seconds' then 0.1 * abs(prior_stats.expected_value)
        end as floor_sd
    from observations
    left join prior_stats
        on
            observations.grain = prior_stats.grain
            and observations.queue_id = prior_stats.queue_id
            and observations.kpi = prior_stats.kpi
            and observations.period_start_at_local = prior_stats.period_start_at_local

),

bands as (

    select
        *,
        greatest(
            expected_value - {{ band_width_sd }} * greatest(coalesce(prior_sd, 0), coalesce(floor_sd, 0)), 0
        ) as band_low,
        case
            when band_floor_kind = 'rate'
                then least(
                    expected_value + {{ band_width_sd }} * greatest(coalesce(prior_sd, 0), coalesce(floor_sd, 0)), 1
                )
            else expected_value + {{ band_width_sd }} * greatest(coalesce(prior_sd, 0), coalesce(floor_sd, 0))
        end as band_high,
        kpi_value is not null
        and not is_holiday
        and prior_weeks >= {{ min_prior_weeks }}
        and (
            (band_floor_kind = 'count' and expected_value >= min_observations)
            or (band_floor_kind <> 'count' and observations >= min_observations)
        ) as is_band_checked,
        kpi_value is not null
        and target is not null
        and observations >= min_observations as is_target_checked
    from with_floor

),

flagged as (

    select
        *,
        is_target_checked and (
            (direction = 'higher_is_better' and kpi_value < target)
            or (direction = 'lower_is_better' and kpi_value > target)
        ) as is_target_breached,
        is_band_checked and (
            (direction in ('higher_is_better', 'both') and kpi_value < band_low)
            or (direction in ('lower_is_better', 'both') and kpi_value > band_high)
        ) as is_outside_band
    from bands

),

breaches as (

    select *
    from flagged
    where
        is_target_breached
        or is_outside_band

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'grain', "'|'", 'queue_id', "'|'", 'kpi', "'|'",
            'cast(period_start_at_local as ' ~ dbt.type_string() ~ ')'
        ])) }} as alert_id,
        grain,
        queue_id,
        channel,
        date_day,
        interval_start_at,
        period_start_at_local,
        kpi,
        kpi_id,
        direction,
        case
            when is_target_breached and is_outside_band then 'target_breach_and_outside_band'
            when is_target_breached then 'target_breach'
            else 'outside_band'
        end as alert_type,
        case when is_target_breached and is_outside_band then 'critical' else 'warning' end as severity,
        kpi_value,
        cast(observations as {{ dbt.type_bigint() }}) as observations,
        target,
        is_target_breached,
        expected_value,
        band_low,
        band_high,
        cast(prior_weeks as {{ dbt.type_bigint() }}) as prior_weeks,
        is_outside_band,
        is_holiday,
        {{ dbt.concat([
            'kpi', "' '",
            display_number('kpi_value'),
            "case when is_target_breached then ' breaches target ' || " ~ display_number('target') ~ " else '' end",
            "case when is_outside_band then ' outside band [' || " ~ display_number('band_low')
                ~ " || ', ' || " ~ display_number('band_high') ~ " || '] around '"
                ~ " || " ~ display_number('expected_value') ~ " || ' (same weekday, '"
                ~ " || cast(prior_weeks as " ~ dbt.type_string() ~ ") || ' prior weeks)' else '' end",
            "' on ' || cast(observations as " ~ dbt.type_string() ~ ") || ' observations'",
        ]) }} as evidence
    from breaches

)

select * from final
