{#- Churn features and label: one row per active customer x as-of month (the customer's contacts, surveys and
    complaints of the month, their orders up to the as-of day) and whether they placed no order in the label horizon
    after it. The as-of months, their windows and label horizon: int_analysis__churn_months. Rules in
    _int_analysis__churn_features.yml. -#}
{#- incremental by as-of month, merged by row (month_signatures.sql; the YAML says how) -#}
{{ month_row_diff_config(
    row_key='customer_id',
    signatures="ref('int_analysis__churn_months')",
    emptied_months="delete_placeholder_rows('customer_id')",
    refreshes=[
        "update_month_columns(churn_refreshed_group('contacts'))",
        "update_month_columns(churn_refreshed_group('surveys'))",
        "update_month_columns(churn_refreshed_group('label'))",
    ],
    on_schema_change='sync_all_columns',
) }}
{#- a unit test has no `this`: a full build -#}
{%- set incremental_run = this is not none and is_incremental() -%}

with placed_orders as (

    select * from {{ ref('int_analysis__churn_placed_orders') }}

),

customer_contacts as (

    select * from {{ ref('int_analysis__churn_contacts') }}

),

responses as (

    select * from {{ ref('int_analysis__churn_survey_answers') }}

),

months as (

    select * from {{ ref('int_analysis__churn_months') }}

),

{# What this run computes: every month on a full build; on an incremental run the months whose signature differs in
    its first part (the window and the activity window's orders: every column depends on them) from the one recorded
    when the table was last built (new, changed, or never recorded): an except, then a join (not an anti-join: DuckDB
    estimated the anti-join's months at 2 rows, planned every later join for it and ran out of 10 GB at 1/5 of the
    scale preset with 8 months to compute). A month whose other parts alone changed (its contacts, its survey answers,
    its label window's orders) keeps its rows: the post-hooks refresh those groups of columns in place
    (churn_refreshed_group, macros/analysis/churn_feature_groups.sql). #}
changed_months as (

    {%- if incremental_run %}
        {{ changed_months('select as_of_month, input_signature from months', churn_signature_part('orders')) }}
    {%- else %}
        select as_of_month from months
    {%- endif %}

),

computed_windows as (

    select months.*
    from months
    inner join changed_months
        on months.as_of_month = changed_months.as_of_month

),

customer_order_features as (

    select
        computed_windows.as_of_month,
        placed_orders.customer_id,
        max(placed_orders.ordered_date) as last_ordered_date,
        count(*) as orders_180d,
        {{ count_where(
            'placed_orders.ordered_date > ' ~ dbt.dateadd('day', -90, 'computed_windows.as_of_date')
        ) }} as orders_90d,
        coalesce(
            sum(case when placed_orders.is_paid then placed_orders.amount end), 0
        ) as paid_amount_180d,
        max(placed_orders.currency) as currency
    from computed_windows
    inner join placed_orders
        on
            computed_windows.active_from_date < placed_orders.ordered_date
            and computed_windows.as_of_date >= placed_orders.ordered_date
    group by
        computed_windows.as_of_month,
        placed_orders.customer_id

),

{# The months this run replaces: those computed again and, on an incremental run, those that are no longer as-of
    months. On an incremental run each gets a placeholder row (null customer_id, below), so that the merge (the
    row_diff strategy, month_signatures.sql) also empties a month computed to no rows or gone; the post-hook
    deletes it. #}
replaced_months as (

    select as_of_month from computed_windows
    {%- if incremental_run %}
        union all
        select stored_months.as_of_month
        from (select distinct as_of_month from {{ this }}) as stored_months
        left join months
            on stored_months.as_of_month = months.as_of_month
        where months.as_of_month is null
    {%- endif %}

),

order_features as (

    select * from customer_order_features
    {%- if incremental_run %}
        union all
        select
            as_of_month,
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as date) as last_ordered_date,
            0 as orders_180d,
            0 as orders_90d,
            0 as paid_amount_180d,
            cast(null as {{ dbt.type_string() }}) as currency
        from replaced_months
    {%- endif %}

),

{# value_percentile is percent_rank() of paid_amount_180d within the as-of month and currency, computed over the
    distinct amounts instead of sorting every customer-month: a row's rank - 1 is the number of rows with a smaller
    amount (at 1/5 of the scale preset, 2.7 M distinct amounts of 22.2 M rows; the model took 32 s with a window over
    every row, 21 s like this). #}
amount_counts as (

    select
        as_of_month,
        currency,
        paid_amount_180d,
        count(*) as amount_rows
    from customer_order_features
    group by
        as_of_month,
        currency,
        paid_amount_180d

),

amount_ranks as (

    select
        as_of_month,
        currency,
        paid_amount_180d,
        coalesce(
            sum(amount_rows) over (
                partition by as_of_month, currency
                order by paid_amount_180d
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as smaller_rows,
        sum(amount_rows) over (partition by as_of_month, currency) as partition_rows
    from amount_counts

),

value_percentiles as (

    select
        as_of_month,
        currency,
        paid_amount_180d,
        case
            when partition_rows > 1 then cast(smaller_rows as {{ type_double() }}) / (partition_rows - 1)
            else 0
        end as value_percentile
    from amount_ranks

),

contact_features as (

    {{ churn_contact_features('customer_contacts') }}

),

survey_features as (

    {{ churn_survey_features('responses') }}

),

next_orders as (

    {{ churn_next_orders('computed_windows', 'placed_orders') }}

),

joined as (

    select
        order_features.customer_id,
        order_features.as_of_month,
        computed_windows.as_of_date,
        computed_windows.label_horizon_days,
        computed_windows.label_end_date,
        {{ churn_is_label_elapsed('computed_windows') }} as is_label_elapsed,
        next_orders.next_ordered_date,
        order_features.currency,
        order_features.last_ordered_date,
        {{ dbt.datediff('order_features.last_ordered_date', 'computed_windows.as_of_date', 'day') }}
            as days_since_last_order,
        order_features.orders_90d,
        order_features.orders_180d,
        order_features.paid_amount_180d,
        value_percentiles.value_percentile,
        {{ churn_contact_columns('contact_features') }},
        {{ churn_survey_columns('survey_features') }}
    {# left joins: a placeholder row (null customer) of a month gone from the inputs has no window #}
    from order_features
    left join computed_windows
        on order_features.as_of_month = computed_windows.as_of_month
    left join value_percentiles
        on
            order_features.as_of_month = value_percentiles.as_of_month
            and order_features.currency is not distinct from value_percentiles.currency
            and order_features.paid_amount_180d = value_percentiles.paid_amount_180d
    left join contact_features
        on
            order_features.customer_id = contact_features.customer_id
            and order_features.as_of_month = contact_features.as_of_month
    left join survey_features
        on
            order_features.customer_id = survey_features.customer_id
            and order_features.as_of_month = survey_features.as_of_month
    left join next_orders
        on
            order_features.customer_id = next_orders.customer_id
            and order_features.as_of_month = next_orders.as_of_month

),

computed as (

    select
        *,
        {{ churn_is_churned('is_label_elapsed', 'next_ordered_date') }} as is_churned
    from joined

),

final as (

    select * from computed

)

select * from final
