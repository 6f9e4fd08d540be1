{#- CSAT drivers per month x driver: the coefficients of the monthly CSAT regression (int_analysis__csat_drivers)
    with standard errors, p-values, confidence intervals, R-squared and a too-little-data flag. Rules in
    _analysis_csat_drivers.yml. -#}
with drivers as (

    select * from {{ ref('int_analysis__csat_drivers') }}

),

final as (

    select
        cast(month as date) as month,
        cast(driver as {{ dbt.type_string() }}) as driver,
        cast(driver_label as {{ dbt.type_string() }}) as driver_label,
        cast(expected_sign as {{ dbt.type_int() }}) as expected_sign,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        cast(contacts_with_driver as {{ dbt.type_bigint() }}) as contacts_with_driver,
        cast(driver_mean as {{ type_double() }}) as driver_mean,
        cast(csat_mean as {{ type_double() }}) as csat_mean,
        cast(coefficient as {{ type_double() }}) as coefficient,
        cast(std_error as {{ type_double() }}) as std_error,
        cast(t_stat as {{ type_double() }}) as t_stat,
        cast(p_value as {{ type_double() }}) as p_value,
        cast(ci_low as {{ type_double() }}) as ci_low,
        cast(ci_high as {{ type_double() }}) as ci_high,
        cast(standardized_coefficient as {{ type_double() }}) as standardized_coefficient,
        cast(r_squared as {{ type_double() }}) as r_squared,
        cast(adj_r_squared as {{ type_double() }}) as adj_r_squared,
        coalesce(p_value < 0.05, false) as is_significant,
        case
            when coefficient is null or expected_sign = 0 then cast(null as boolean)
            else coefficient * expected_sign > 0
        end as has_expected_sign,
        cast(has_too_little_data as boolean) as has_too_little_data
    from drivers

)

select * from final
