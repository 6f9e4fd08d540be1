{#- How good is the churn risk: the time-split backtest of int_analysis__churn_backtest (ROC AUC, PR AUC, Brier
    score, calibration by risk decile) of the churn model beside the orders-only RFM baseline, one row per backtest
    month x model x risk decile. Rules in _analysis_churn_backtest.yml. -#}
with backtest as (

    select * from {{ ref('int_analysis__churn_backtest') }}

),

final as (

    {#- cast: a centre without a CRM has no backtest rows, and an empty frame carries no column types -#}
    select
        cast(as_of_month as date) as as_of_month,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(risk_decile as integer) as risk_decile,
        cast(label_horizon_days as integer) as label_horizon_days,
        cast(training_months as integer) as training_months,
        cast(training_customer_months as integer) as training_customer_months,
        cast(customers as integer) as customers,
        cast(churned_customers as integer) as churned_customers,
        cast(churn_rate as {{ type_double() }}) as churn_rate,
        cast(roc_auc as {{ type_double() }}) as roc_auc,
        cast(pr_auc as {{ type_double() }}) as pr_auc,
        cast(brier_score as {{ type_double() }}) as brier_score,
        cast(calibration_error as {{ type_double() }}) as calibration_error,
        cast(decile_customers as integer) as decile_customers,
        cast(decile_churned_customers as integer) as decile_churned_customers,
        cast(decile_predicted_churn_rate as {{ type_double() }}) as decile_predicted_churn_rate,
        cast(decile_observed_churn_rate as {{ type_double() }}) as decile_observed_churn_rate
    from backtest

)

select * from final
