{#- Which customers are we about to lose because of service, and which of them matter most: one row per active
    customer x as-of month with the features, the label once known, the churn risk of the model trained on earlier
    months (int_analysis__churn_scores), its decile and top drivers, and the retention worklist (high value x high
    risk). Rules in _analysis_customer_churn_risk.yml. -#}
{%- set worklist_min_decile = config.get('worklist_min_decile', 9) -%}
{%- set worklist_min_value_percentile = config.get('worklist_min_value_percentile', 0.8) -%}

{#- incremental by as-of month, merged by row (month_signatures.sql; the YAML says how) -#}
{%- set signatures = churn_risk_month_signatures(
    ref('int_analysis__churn_months'), ref('int_analysis__churn_scores')) -%}
{{ month_row_diff_config(
    row_key='customer_id',
    signatures="'(' ~ churn_risk_month_signatures(
        ref('int_analysis__churn_months'), ref('int_analysis__churn_scores')) ~ ') as signatures'",
    emptied_months="delete_months_not_in(ref('int_analysis__churn_features'))",
    refreshes=["update_month_columns(churn_risk_refreshed_labels())"],
    on_schema_change='append_new_columns',
) }}
{#- a unit test has no `this`: a full build -#}
{%- set incremental_run = this is not none and is_incremental() -%}

with all_features as (

    select * from {{ ref('int_analysis__churn_features') }}

),

all_scores as (

    select * from {{ ref('int_analysis__churn_scores') }}

),

{# A month's rows depend on its features and scores only (churn_risk_month_signatures). What this run computes:
    every month on a full build; on an incremental run the months whose signature, but for its label part, differs
    from the one recorded when this table was last built. The merge (the row_diff strategy) writes the rows that
    changed and deletes those gone from a month computed again; the first post-hook deletes the months the features
    no longer have, the second refreshes in place the label of the months whose label part alone changed
    (churn_risk_refreshed_labels). #}
computed_months as (

    {%- if incremental_run %}
        {{ changed_months(signatures, 1) }}
    {%- else %}
        select as_of_month from ({{ signatures }}) as signatures
    {%- endif %}

),

features as (

    select all_features.*
    from all_features
    inner join computed_months
        on all_features.as_of_month = computed_months.as_of_month

),

scores as (

    select all_scores.*
    from all_scores
    inner join computed_months
        on all_scores.as_of_month = computed_months.as_of_month

),

{# The worklist's inputs, imported apart: DuckDB materialises a CTE read twice (the features: 22 M rows). #}
worklist_features as (

    select
        customer_id,
        as_of_month,
        value_percentile
    from {{ ref('int_analysis__churn_features') }}

),

worklist_scores as (

    select
        customer_id,
        as_of_month,
        churn_risk_score,
        churn_risk_decile
    from {{ ref('int_analysis__churn_scores') }}

),

{# The worklist's order, ranked over the worklist's rows only (a window over every customer-month sorted all of
    them: at 1/5 of the scale preset 33 of the model's 47 CPU-s), from its own join of the few columns it needs (a
    join read by both the ranks and the mart was materialised whole: 22 M rows, 13 of 40 CPU-s). #}
worklist as (

    select
        worklist_features.customer_id,
        worklist_features.as_of_month,
        worklist_scores.churn_risk_score * worklist_features.value_percentile as retention_priority
    from worklist_features
    inner join worklist_scores
        on
            worklist_features.customer_id = worklist_scores.customer_id
            and worklist_features.as_of_month = worklist_scores.as_of_month
    inner join computed_months
        on worklist_features.as_of_month = computed_months.as_of_month
    where
        worklist_scores.churn_risk_decile >= {{ worklist_min_decile }}
        and worklist_features.value_percentile >= {{ worklist_min_value_percentile }}

),

worklist_ranks as (

    select
        customer_id,
        as_of_month,
        row_number() over (
            partition by as_of_month
            order by retention_priority desc, customer_id asc
        ) as retention_priority_rank
    from worklist

),

prioritised as (

    select
        features.*,
        scores.churn_risk_score,
        scores.churn_risk_decile,
        scores.rfm_baseline_score,
        scores.training_months,
        scores.driver_1,
        scores.driver_1_contribution,
        scores.driver_2,
        scores.driver_2_contribution,
        scores.driver_3,
        scores.driver_3_contribution,
        scores.customer_id is not null as is_scored,
        worklist_ranks.customer_id is not null as is_retention_worklist,
        worklist_ranks.retention_priority_rank
    from features
    left join scores
        on
            features.customer_id = scores.customer_id
            and features.as_of_month = scores.as_of_month
    left join worklist_ranks
        on
            features.customer_id = worklist_ranks.customer_id
            and features.as_of_month = worklist_ranks.as_of_month

),

final as (

    select
        customer_id,
        as_of_month,
        as_of_date,
        cast(label_horizon_days as integer) as label_horizon_days,
        label_end_date,
        is_label_elapsed,
        is_churned,
        next_ordered_date,
        currency,
        last_ordered_date,
        cast(days_since_last_order as integer) as days_since_last_order,
        cast(orders_90d as integer) as orders_90d,
        cast(orders_180d as integer) as orders_180d,
        cast(paid_amount_180d as decimal(18, 2)) as paid_amount_180d,
        cast(value_percentile as {{ type_double() }}) as value_percentile,
        cast(contacts as integer) as contacts,
        cast(repeat_contacts as integer) as repeat_contacts,
        cast(unresolved_contacts as integer) as unresolved_contacts,
        cast(transferred_contacts as integer) as transferred_contacts,
        cast(abandoned_contacts as integer) as abandoned_contacts,
        cast(complaint_contacts as integer) as complaint_contacts,
        cast(phone_contacts as integer) as phone_contacts,
        cast(chat_contacts as integer) as chat_contacts,
        cast(ticket_contacts as integer) as ticket_contacts,
        cast(live_wait_seconds_avg as {{ type_double() }}) as live_wait_seconds_avg,
        cast(survey_responses as integer) as survey_responses,
        cast(csat_avg as {{ type_double() }}) as csat_avg,
        cast(low_csat_responses as integer) as low_csat_responses,
        cast(nps_avg as {{ type_double() }}) as nps_avg,
        cast(nps_detractor_responses as integer) as nps_detractor_responses,
        cast(ces_avg as {{ type_double() }}) as ces_avg,
        cast(high_effort_responses as integer) as high_effort_responses,
        cast(negative_feedback_responses as integer) as negative_feedback_responses,
        cast(negative_comments as integer) as negative_comments,
        is_scored,
        cast(churn_risk_score as {{ type_double() }}) as churn_risk_score,
        cast(churn_risk_decile as integer) as churn_risk_decile,
        cast(rfm_baseline_score as {{ type_double() }}) as rfm_baseline_score,
        cast(training_months as integer) as training_months,
        cast(driver_1 as {{ dbt.type_string() }}) as driver_1,
        cast(driver_1_contribution as {{ type_double() }}) as driver_1_contribution,
        cast(driver_2 as {{ dbt.type_string() }}) as driver_2,
        cast(driver_2_contribution as {{ type_double() }}) as driver_2_contribution,
        cast(driver_3 as {{ dbt.type_string() }}) as driver_3,
        cast(driver_3_contribution as {{ type_double() }}) as driver_3_contribution,
        is_retention_worklist,
        cast(retention_priority_rank as integer) as retention_priority_rank
    from prioritised

)

select * from final
