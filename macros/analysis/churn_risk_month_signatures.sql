{#- The signature of analysis_customer_churn_risk's as-of months (a query of as_of_month, input_signature): a month's
    rows depend only on its features (int_analysis__churn_months' signature of them) and its scores (their
    input_signature, one per month). A month without scores has the features' part alone. -#}
{% macro churn_risk_month_signatures(months, scores) -%}
    select
        months.as_of_month,
        {{ dbt.concat([
            "months.input_signature", "'|'", "coalesce(month_scores.input_signature, '')",
        ]) }} as input_signature
    from {{ months }} as months
    left join (
        select
            as_of_month,
            max(input_signature) as input_signature
        from {{ scores }}
        group by as_of_month
    ) as month_scores
        on months.as_of_month = month_scores.as_of_month
{%- endmacro %}
