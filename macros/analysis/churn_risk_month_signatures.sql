{#- The signature of analysis_customer_churn_risk's as-of months (a query of as_of_month, input_signature): a month's
    rows depend only on its features (int_analysis__churn_months' signature of them) and its scores (their
    input_signature, one per month). A month without scores has the features' part alone. In two parts
    (month_signatures.sql, signature_separator): what every row depends on (the months' parts but the label's,
    and the scores), then the label's part, so that a month whose label alone changed has its label refreshed in
    place (churn_risk_refreshed_labels). -#}
{% macro churn_risk_month_signatures(months, scores) -%}
    {%- set separator = "'" ~ signature_separator() ~ "'" -%}
    select
        months.as_of_month,
        {{ dbt.concat([
            signature_part('months.input_signature', churn_signature_part('orders')), "'|'",
            signature_part('months.input_signature', churn_signature_part('contacts')), "'|'",
            signature_part('months.input_signature', churn_signature_part('surveys')), "'|'",
            "coalesce(month_scores.input_signature, '')", separator,
            signature_part('months.input_signature', churn_signature_part('label')),
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
