{#- Retention after a contact: customers per contact month x channel x CSAT band x FCR status, how many ordered
    again within 30 / 60 / 90 days, and the same for a no-contact baseline. Rules in _kpi_customer_retention.yml. -#}
{%- set windows = [30, 60, 90] -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

placed_orders as (

    select
        customer_id,
        ordered_at
    from orders
    where
        status <> 'cancelled'
        and customer_id is not null

),

order_horizon as (

    select max(ordered_at) as as_of_at
    from orders

),

known_contacts as (

    select
        customer_id,
        contact_id,
        channel,
        arrived_at,
        cast({{ dbt.date_trunc('month', 'arrived_date_local') }} as date) as contact_month,
        case
            when csat >= 4 then 'csat_4_5'
            when csat = 3 then 'csat_3'
            when csat <= 2 then 'csat_1_2'
            else 'no_csat'
        end as csat_band,
        coalesce(fcr_status, 'not_handled') as fcr_status
    from contacts
    where customer_id is not null

),

ranked_contacts as (

    select
        *,
        row_number() over (
            partition by customer_id, contact_month
            order by arrived_at, contact_id
        ) as contact_rank_in_month
    from known_contacts

),

contacted_anchors as (

    select
        customer_id,
        contact_month,
        'contacted' as cohort,
        channel,
        csat_band,
        fcr_status,
        arrived_at as anchor_at
    from ranked_contacts
    where contact_rank_in_month = 1

),

contact_months as (

    select distinct contact_month
    from known_contacts

),

month_customers as (

    select
        customers.customer_id,
        contact_months.contact_month,
        {{ dbt.dateadd(
            'day', 14, 'cast(contact_months.contact_month as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as anchor_at
    from customers
    cross join contact_months
    where customers.customer_since <= {{ dbt.dateadd('day', 14, 'contact_months.contact_month') }}

),

baseline_anchors as (

    select
        month_customers.customer_id,
        month_customers.contact_month,
        'no_contact' as cohort,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as csat_band,
        cast(null as {{ dbt.type_string() }}) as fcr_status,
        month_customers.anchor_at
    from month_customers
    left join contacted_anchors
        on
            month_customers.customer_id = contacted_anchors.customer_id
            and month_customers.contact_month = contacted_anchors.contact_month
    where contacted_anchors.customer_id is null

),

anchors as (

    select * from contacted_anchors
    union all
    select * from baseline_anchors

),

next_orders as (

    select
        anchors.customer_id,
        anchors.contact_month,
        min(placed_orders.ordered_at) as next_ordered_at
    from anchors
    inner join placed_orders
        on
            anchors.customer_id = placed_orders.customer_id
            and anchors.anchor_at < placed_orders.ordered_at
            and placed_orders.ordered_at <= {{ dbt.dateadd('day', windows | max, 'anchors.anchor_at') }}
    group by
        anchors.customer_id,
        anchors.contact_month

),

anchor_outcomes as (

    select
        anchors.*,
        {%- for days in windows %}
            {{ dbt.dateadd('day', days, 'anchors.anchor_at') }}
            <= order_horizon.as_of_at as is_window_{{ days }}d_elapsed,
            coalesce(
                next_orders.next_ordered_at <= {{ dbt.dateadd('day', days, 'anchors.anchor_at') }}, false
            ) as has_ordered_within_{{ days }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from anchors
    cross join order_horizon
    left join next_orders
        on
            anchors.customer_id = next_orders.customer_id
            and anchors.contact_month = next_orders.contact_month

),

grouped as (

    select
        contact_month,
        cohort,
        channel,
        csat_band,
        fcr_status,
        count(*) as customers,
        {%- for days in windows %}
            {{ count_where('is_window_' ~ days ~ 'd_elapsed') }} as customers_{{ days }}d_elapsed,
            {{ count_where('is_window_' ~ days ~ 'd_elapsed and has_ordered_within_' ~ days ~ 'd') }}
                as retained_{{ days }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from anchor_outcomes
    group by
        contact_month,
        cohort,
        channel,
        csat_band,
        fcr_status

),

final as (

    select
        contact_month,
        cohort,
        channel,
        csat_band,
        fcr_status,
        customers,
        {%- for days in windows %}
            customers_{{ days }}d_elapsed,
            retained_{{ days }}d,
            {{ ratio('retained_' ~ days ~ 'd', 'customers_' ~ days ~ 'd_elapsed') }}
                as retention_rate_{{ days }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from grouped

)

select * from final
