{#- Did the change work: one row per improvement initiative (seeds/initiatives.csv) x target KPI, with the KPI before
    and after over equal windows, the difference-in-differences against comparable untreated units with its 95 %
    confidence interval (int_analysis__initiative_effects), the verdict and the PDCA stage. Rules in
    _analysis_initiative_impact.yml. -#}
{%- set check_days = config.get('check_days', 28) -%}

with initiatives as (

    select * from {{ ref('initiatives') }}

),

effects as (

    select * from {{ ref('int_analysis__initiative_effects') }}

),

joined as (

    select
        effects.*,
        initiatives.initiative_name,
        initiatives.owner,
        initiatives.description,
        initiatives.start_date,
        initiatives.end_date,
        initiatives.scope_type,
        initiatives.scope_values,
        case
            when effects.expected_direction = 'decrease' then -1
            when effects.expected_direction = 'increase' then 1
        end as improvement_sign
    from effects
    inner join initiatives on effects.initiative_id = initiatives.initiative_id

),

judged as (

    select
        *,
        case
            when as_of_date is null or as_of_date < start_date then 'plan'
            when end_date is null or as_of_date <= end_date then 'do'
            when as_of_date <= {{ dbt.dateadd('day', check_days, 'end_date') }} then 'check'
            else 'act'
        end as pdca_stage,
        case
            when effect is null or ci_low is null or ci_high is null or improvement_sign is null then null
            when (improvement_sign = 1 and ci_low > 0) or (improvement_sign = -1 and ci_high < 0) then 'improved'
            when (improvement_sign = 1 and ci_high < 0) or (improvement_sign = -1 and ci_low > 0) then 'worse'
            else 'no detectable effect'
        end as verdict
    from joined

),

final as (

    select
        cast(initiative_id as {{ dbt.type_string() }}) as initiative_id,
        cast(kpi as {{ dbt.type_string() }}) as kpi,
        cast(kpi_id as {{ dbt.type_string() }}) as kpi_id,
        cast(initiative_name as {{ dbt.type_string() }}) as initiative_name,
        cast(owner as {{ dbt.type_string() }}) as owner,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(scope_values as {{ dbt.type_string() }}) as scope_values,
        cast(comparison_unit_ids as {{ dbt.type_string() }}) as comparison_values,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(as_of_date as date) as as_of_date,
        cast(pdca_stage as {{ dbt.type_string() }}) as pdca_stage,
        cast(expected_direction as {{ dbt.type_string() }}) as expected_direction,
        cast(window_days as {{ dbt.type_int() }}) as window_days,
        cast(before_start_date as date) as before_start_date,
        cast(after_start_date as date) as after_start_date,
        cast(after_end_date as date) as after_end_date,
        cast(treated_units as {{ dbt.type_int() }}) as treated_units,
        cast(comparison_units as {{ dbt.type_int() }}) as comparison_units,
        cast(before_days as {{ dbt.type_int() }}) as before_days,
        cast(after_days as {{ dbt.type_int() }}) as after_days,
        cast(treated_before as {{ type_double() }}) as treated_before,
        cast(treated_after as {{ type_double() }}) as treated_after,
        cast(comparison_before as {{ type_double() }}) as comparison_before,
        cast(comparison_after as {{ type_double() }}) as comparison_after,
        cast(effect as {{ type_double() }}) as effect,
        cast(std_error as {{ type_double() }}) as std_error,
        cast(ci_low as {{ type_double() }}) as ci_low,
        cast(ci_high as {{ type_double() }}) as ci_high,
        cast(p_value as {{ type_double() }}) as p_value,
        cast(counterfactual_after as {{ type_double() }}) as counterfactual_after,
        cast(relative_effect as {{ type_double() }}) as relative_effect,
        cast(relative_ci_low as {{ type_double() }}) as relative_ci_low,
        cast(relative_ci_high as {{ type_double() }}) as relative_ci_high,
        cast(verdict as {{ dbt.type_string() }}) as verdict,
        cast(has_too_little_data as boolean) as has_too_little_data
    from judged

)

select * from final
