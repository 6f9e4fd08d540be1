{#- Churn features and label: one row per active customer x as-of month (the customer's contacts, surveys and
    complaints of the month, their orders up to the as-of day) and whether they placed no order in the label horizon
    after it. Rules in _int_analysis__churn_features.yml. -#}
{%- set horizon_candidates = config.get('label_horizon_candidates', [90, 60, 30]) -%}
{%- set fixed_horizon = config.get('label_horizon_days') -%}
{%- set active_days = 180 -%}
{#- incremental by as-of month (month_signatures.sql; what a month's signature covers: the YAML) -#}
{{ config(
    materialized='incremental',
    incremental_strategy=partition_incremental_strategy(),
    unique_key='as_of_month',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_placeholder_rows('customer_id') }}",
) }}
{#- a unit test has no `this`: a full build -#}
{%- set incremental_run = this is not none and is_incremental() -%}
{%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list
    if execute and incremental_run else [] -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

surveys as (

    select * from {{ ref('fct_survey_responses') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

placed_orders as (

    select
        customer_id,
        ordered_date,
        amount,
        currency,
        is_paid
    from orders
    where
        status <> 'cancelled'
        and customer_id is not null

),

customer_contacts as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'arrived_date_local') }} as date) as as_of_month
    from contacts
    where customer_id is not null

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

responses as (

    select
        customer_id,
        csat,
        nps,
        ces,
        is_negative_feedback,
        comment_sentiment,
        cast({{ dbt.date_trunc('month', 'cast(responded_at as date)') }} as date) as as_of_month
    from surveys
    where
        is_responded
        and customer_id is not null

),

{# A month's signature: its window and horizon, whether its label window has elapsed (not the last day of data itself,
    which moves every day: a month whose window closed long ago keeps its signature), and order-independent
    fingerprints of every input row its features and label read (placed orders in (active_from_date,
    label_end_date], its contacts and survey answers). #}
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
        sum(order_day_hashes.order_rows) as order_rows,
        sum(order_day_hashes.order_hash) as order_hash
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

month_signatures as (

    select
        month_windows.as_of_month,
        {{ dbt.concat([
            "cast(month_windows.as_of_date as " ~ dbt.type_string() ~ ")", "'|'",
            "case when month_windows.label_end_date <= month_windows.last_data_date then 'elapsed' else 'open' end",
            "'|'",
            "cast(month_windows.label_horizon_days as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(coalesce(month_order_hashes.order_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_order_hashes.order_hash as " ~ dbt.type_string() ~ "), '')", "'|'",
            "cast(coalesce(month_contact_hashes.contact_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_contact_hashes.contact_hash as " ~ dbt.type_string() ~ "), '')", "'|'",
            "cast(coalesce(month_survey_hashes.survey_rows, 0) as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(month_survey_hashes.survey_hash as " ~ dbt.type_string() ~ "), '')",
        ]) }} as input_signature
    from month_windows
    left join month_order_hashes
        on month_windows.as_of_month = month_order_hashes.as_of_month
    left join month_contact_hashes
        on month_windows.as_of_month = month_contact_hashes.as_of_month
    left join month_survey_hashes
        on month_windows.as_of_month = month_survey_hashes.as_of_month

),

{# What this run computes: every month on a full build; on an incremental run the months whose signature differs
    from the one stored with their rows (new, changed, or stored before signatures were kept). #}
stored_signatures as (

    {%- if incremental_run %}
        select
            as_of_month,
            {{ 'max(input_signature)' if 'input_signature' in stored_columns
                else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as input_signature
        from {{ this }}
        group by as_of_month
    {%- else %}
        select
            cast(null as date) as as_of_month,
            cast(null as {{ dbt.type_string() }}) as input_signature
        where false
    {%- endif %}

),

computed_windows as (

    select
        month_windows.*,
        month_signatures.input_signature
    from month_windows
    inner join month_signatures
        on month_windows.as_of_month = month_signatures.as_of_month
    left join stored_signatures
        on
            month_signatures.as_of_month = stored_signatures.as_of_month
            and month_signatures.input_signature = stored_signatures.input_signature
    where stored_signatures.as_of_month is null

),

{# Months whose stored rows this run replaces without computing rows for them (changed to no rows, or gone from the
    inputs): one placeholder row each (null customer), which the merge uses and the post-hook deletes. #}
placeholder_months as (

    select stored_signatures.as_of_month
    from stored_signatures
    left join month_signatures
        on
            stored_signatures.as_of_month = month_signatures.as_of_month
            and stored_signatures.input_signature = month_signatures.input_signature
    where month_signatures.as_of_month is null

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

order_features as (

    select * from customer_order_features
    union all
    select
        as_of_month,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as date) as last_ordered_date,
        0 as orders_180d,
        0 as orders_90d,
        0 as paid_amount_180d,
        cast(null as {{ dbt.type_string() }}) as currency
    from placeholder_months

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

    select
        as_of_month,
        customer_id,
        count(*) as contacts,
        {{ count_where('is_repeat_contact') }} as repeat_contacts,
        {{ count_where('is_abandoned or (is_answered and not is_resolved)') }} as unresolved_contacts,
        {{ count_where('is_transferred') }} as transferred_contacts,
        {{ count_where('is_abandoned') }} as abandoned_contacts,
        {{ count_where("issue_type = 'complaint'") }} as complaint_contacts,
        {{ count_where("channel = 'phone'") }} as phone_contacts,
        {{ count_where("channel = 'chat'") }} as chat_contacts,
        {{ count_where("channel in ('email', 'web_form')") }} as ticket_contacts,
        avg(case when channel in ('phone', 'chat') then wait_seconds end) as live_wait_seconds_avg
    from customer_contacts
    group by
        as_of_month,
        customer_id

),

survey_features as (

    select
        as_of_month,
        customer_id,
        count(*) as survey_responses,
        avg(cast(csat as {{ type_double() }})) as csat_avg,
        {{ count_where('csat <= 2') }} as low_csat_responses,
        avg(cast(nps as {{ type_double() }})) as nps_avg,
        {{ count_where('nps <= 6') }} as nps_detractor_responses,
        avg(cast(ces as {{ type_double() }})) as ces_avg,
        {{ count_where('ces <= 3') }} as high_effort_responses,
        {{ count_where('is_negative_feedback') }} as negative_feedback_responses,
        {{ count_where("comment_sentiment = 'negative'") }} as negative_comments
    from responses
    group by
        as_of_month,
        customer_id

),

next_orders as (

    select
        computed_windows.as_of_month,
        placed_orders.customer_id,
        min(placed_orders.ordered_date) as next_ordered_date
    from computed_windows
    inner join placed_orders
        on
            computed_windows.as_of_date < placed_orders.ordered_date
            and computed_windows.label_end_date >= placed_orders.ordered_date
    group by
        computed_windows.as_of_month,
        placed_orders.customer_id

),

joined as (

    select
        order_features.customer_id,
        order_features.as_of_month,
        computed_windows.as_of_date,
        computed_windows.label_horizon_days,
        computed_windows.label_end_date,
        computed_windows.label_end_date <= computed_windows.last_data_date as is_label_elapsed,
        next_orders.next_ordered_date,
        order_features.currency,
        order_features.last_ordered_date,
        {{ dbt.datediff('order_features.last_ordered_date', 'computed_windows.as_of_date', 'day') }}
            as days_since_last_order,
        order_features.orders_90d,
        order_features.orders_180d,
        order_features.paid_amount_180d,
        value_percentiles.value_percentile,
        coalesce(contact_features.contacts, 0) as contacts,
        coalesce(contact_features.repeat_contacts, 0) as repeat_contacts,
        coalesce(contact_features.unresolved_contacts, 0) as unresolved_contacts,
        coalesce(contact_features.transferred_contacts, 0) as transferred_contacts,
        coalesce(contact_features.abandoned_contacts, 0) as abandoned_contacts,
        coalesce(contact_features.complaint_contacts, 0) as complaint_contacts,
        coalesce(contact_features.phone_contacts, 0) as phone_contacts,
        coalesce(contact_features.chat_contacts, 0) as chat_contacts,
        coalesce(contact_features.ticket_contacts, 0) as ticket_contacts,
        contact_features.live_wait_seconds_avg,
        coalesce(survey_features.survey_responses, 0) as survey_responses,
        survey_features.csat_avg,
        coalesce(survey_features.low_csat_responses, 0) as low_csat_responses,
        survey_features.nps_avg,
        coalesce(survey_features.nps_detractor_responses, 0) as nps_detractor_responses,
        survey_features.ces_avg,
        coalesce(survey_features.high_effort_responses, 0) as high_effort_responses,
        coalesce(survey_features.negative_feedback_responses, 0) as negative_feedback_responses,
        coalesce(survey_features.negative_comments, 0) as negative_comments,
        computed_windows.input_signature
    {# left joins: a placeholder row (null customer) has a window only when its month is still computed #}
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

final as (

    select
        *,
        case when is_label_elapsed then next_ordered_date is null end as is_churned
    from joined

)

select * from final
