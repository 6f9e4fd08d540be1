{#- The churn features' as-of months: one row per as-of month with its window (as_of_date, the 180 days of activity
    before it, the label window after it), the label horizon, and the signature of every input row its features
    read, by which int_analysis__churn_features computes a month again only when it changed. Rules in
    _int_analysis__churn_months.yml. -#}
{%- set horizon_candidates = config.get('label_horizon_candidates', [90, 60, 30]) -%}
{%- set fixed_horizon = config.get('label_horizon_days') -%}
{%- set active_days = 180 -%}
{%- set separator = "'" ~ signature_separator() ~ "'" -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

placed_orders as (

    select * from {{ ref('int_analysis__churn_placed_orders') }}

),

customer_contacts as (

    select * from {{ ref('int_analysis__churn_contacts') }}

),

responses as (

    select * from {{ ref('int_analysis__churn_survey_answers') }}

),

last_data_day as (

    select max(data_date) as last_data_date
    from (
        select max(arrived_date_local) as data_date from contacts
        union all
        select max(ordered_date) as data_date from orders
    ) as data_dates

),

as_of_months as (

    select
        months.as_of_month,
        least(
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.as_of_month')) }} as date),
            last_data_day.last_data_date
        ) as as_of_date,
        last_data_day.last_data_date
    from (select distinct as_of_month from customer_contacts) as months
    cross join last_data_day

),

horizon_options as (

    {%- if fixed_horizon is not none %}
    select
        {{ fixed_horizon }} as horizon_days,
        1 as is_backtestable
    {%- else %}
        {%- for days in horizon_candidates %}
            select
                {{ days }} as horizon_days,
                max(
                    case
                        when
                            {{ dbt.dateadd('day', days, 'training.as_of_date') }} <= tested.as_of_date
                            and {{ dbt.dateadd('day', days, 'tested.as_of_date') }} <= tested.last_data_date
                            then 1
                        else 0
                    end
                ) as is_backtestable
            from as_of_months as training
            cross join as_of_months as tested
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}

),

label_horizon as (

    select
        coalesce(
            max(case when is_backtestable = 1 then horizon_days end),
            min(horizon_days)
        ) as label_horizon_days
    from horizon_options

),

month_windows as (

    select
        as_of_months.as_of_month,
        as_of_months.as_of_date,
        as_of_months.last_data_date,
        label_horizon.label_horizon_days,
        cast({{ dbt.dateadd('day', -active_days, 'as_of_months.as_of_date') }} as date) as active_from_date,
        cast({{ dbt.dateadd('day', 'label_horizon.label_horizon_days', 'as_of_months.as_of_date') }} as date)
            as label_end_date
    from as_of_months
    cross join label_horizon

),

{# A month's signature, in four parts (order-independent fingerprints: row counts and sums of row hashes), one per
    input of int_analysis__churn_features' groups of columns (churn_signature_part): its window and horizon and the
    placed orders in (active_from_date, as_of_date], which every column depends on; its contacts; its survey
    answers; its label: whether the label window has elapsed (not the last day of data itself, which moves every
    day: a month whose window closed long ago keeps its signature) and the placed orders in (as_of_date,
    label_end_date]. A month whose first part is unchanged keeps its rows: only the groups whose part changed are
    refreshed. #}
order_day_hashes as (

    select
        ordered_date,
        count(*) as order_rows,
        sum({{ row_hash(['customer_id', 'ordered_date', 'amount', 'currency', 'is_paid']) }}) as order_hash
    from placed_orders
    group by ordered_date

),

month_order_hashes as (

    select
        month_windows.as_of_month,
        sum(case when order_day_hashes.ordered_date <= month_windows.as_of_date then order_day_hashes.order_rows end)
            as activity_order_rows,
        sum(case when order_day_hashes.ordered_date <= month_windows.as_of_date then order_day_hashes.order_hash end)
            as activity_order_hash,
        sum(case when order_day_hashes.ordered_date > month_windows.as_of_date then order_day_hashes.order_rows end)
            as label_order_rows,
        sum(case when order_day_hashes.ordered_date > month_windows.as_of_date then order_day_hashes.order_hash end)
            as label_order_hash
    from month_windows
    inner join order_day_hashes
        on
            month_windows.active_from_date < order_day_hashes.ordered_date
            and month_windows.label_end_date >= order_day_hashes.ordered_date
    group by month_windows.as_of_month

),

month_contact_hashes as (

    select
        as_of_month,
        count(*) as contact_rows,
        sum({{ row_hash([
            'customer_id', 'is_repeat_contact', 'is_abandoned', 'is_answered', 'is_resolved', 'is_transferred',
            'issue_type', 'channel', 'wait_seconds',
        ]) }}) as contact_hash
    from customer_contacts
    group by as_of_month

),

month_survey_hashes as (

    select
        as_of_month,
        count(*) as survey_rows,
        sum({{ row_hash([
            'customer_id', 'csat', 'nps', 'ces', 'is_negative_feedback', 'comment_sentiment',
        ]) }}) as survey_hash
    from responses
    group by as_of_month

),

final as (

    select
        month_windows.as_of_month,
        month_windows.as_of_date,
        month_windows.last_data_date,
        month_windows.label_horizon_days,
        month_windows.active_from_date,
        month_windows.label_end_date,
        {{ dbt.concat([
            "cast(month_windows.as_of_date as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(month_windows.label_horizon_days as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(coalesce(month_order_hashes.activity_order_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_order_hashes.activity_order_hash as " ~ dbt.type_string() ~ "), '')",
            separator,
            "cast(coalesce(month_contact_hashes.contact_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_contact_hashes.contact_hash as " ~ dbt.type_string() ~ "), '')",
            separator,
            "cast(coalesce(month_survey_hashes.survey_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_survey_hashes.survey_hash as " ~ dbt.type_string() ~ "), '')",
            separator,
            "case when month_windows.label_end_date <= month_windows.last_data_date then 'elapsed' else 'open' end",
            "'|'",
            "cast(coalesce(month_order_hashes.label_order_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_order_hashes.label_order_hash as " ~ dbt.type_string() ~ "), '')",
        ]) }} as input_signature
    from month_windows
    left join month_order_hashes
        on month_windows.as_of_month = month_order_hashes.as_of_month
    left join month_contact_hashes
        on month_windows.as_of_month = month_contact_hashes.as_of_month
    left join month_survey_hashes
        on month_windows.as_of_month = month_survey_hashes.as_of_month

)

select * from final
