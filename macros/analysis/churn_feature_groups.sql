{#- The groups of int_analysis__churn_features' columns that depend on one input each (rules in its YAML): the
    contact features (the month's contacts), the survey features (the month's answers) and the label (the placed
    orders in the label window). Each is written once here, for the model and for the post-hooks that refresh one
    group in place in a month whose other inputs did not change (int_analysis__churn_months' signature parts,
    macros/incremental/month_signatures.sql). -#}

{#- The parts of int_analysis__churn_months' input_signature, in order (signature_separator between them):
    the window and the placed orders of the activity window (a change computes the month again), then one part per
    group below. -#}
{% macro churn_signature_part(group) -%}
    {{ return({'orders': 1, 'contacts': 2, 'surveys': 3, 'label': 4}[group]) }}
{%- endmacro %}


{#- contacts: one row per as-of month x customer of `contacts` (rows of int_analysis__churn_contacts) -#}
{% macro churn_contact_features(contacts) -%}
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
        {{ avg_exact("case when channel in ('phone', 'chat') then wait_seconds end") }} as live_wait_seconds_avg
    from {{ contacts }}
    group by
        as_of_month,
        customer_id
{%- endmacro %}

{#- the contact columns of a customer-month from its churn_contact_features row `alias` (none: 0 contacts) -#}
{% macro churn_contact_columns(alias) -%}
    coalesce({{ alias }}.contacts, 0) as contacts,
    coalesce({{ alias }}.repeat_contacts, 0) as repeat_contacts,
    coalesce({{ alias }}.unresolved_contacts, 0) as unresolved_contacts,
    coalesce({{ alias }}.transferred_contacts, 0) as transferred_contacts,
    coalesce({{ alias }}.abandoned_contacts, 0) as abandoned_contacts,
    coalesce({{ alias }}.complaint_contacts, 0) as complaint_contacts,
    coalesce({{ alias }}.phone_contacts, 0) as phone_contacts,
    coalesce({{ alias }}.chat_contacts, 0) as chat_contacts,
    coalesce({{ alias }}.ticket_contacts, 0) as ticket_contacts,
    {{ alias }}.live_wait_seconds_avg
{%- endmacro %}


{#- surveys: one row per as-of month x customer of `responses` (rows of int_analysis__churn_survey_answers) -#}
{% macro churn_survey_features(responses) -%}
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
    from {{ responses }}
    group by
        as_of_month,
        customer_id
{%- endmacro %}

{#- the survey columns of a customer-month from its churn_survey_features row `alias` (none: 0 responses) -#}
{% macro churn_survey_columns(alias) -%}
    coalesce({{ alias }}.survey_responses, 0) as survey_responses,
    {{ alias }}.csat_avg,
    coalesce({{ alias }}.low_csat_responses, 0) as low_csat_responses,
    {{ alias }}.nps_avg,
    coalesce({{ alias }}.nps_detractor_responses, 0) as nps_detractor_responses,
    {{ alias }}.ces_avg,
    coalesce({{ alias }}.high_effort_responses, 0) as high_effort_responses,
    coalesce({{ alias }}.negative_feedback_responses, 0) as negative_feedback_responses,
    coalesce({{ alias }}.negative_comments, 0) as negative_comments
{%- endmacro %}


{#- label: the first placed order of each customer in each window's label window (as_of_date, label_end_date], from
    `windows` (rows of int_analysis__churn_months) and `placed_orders` -#}
{% macro churn_next_orders(windows, placed_orders) -%}
    select
        label_windows.as_of_month,
        label_orders.customer_id,
        min(label_orders.ordered_date) as next_ordered_date
    from {{ windows }} as label_windows
    inner join {{ placed_orders }} as label_orders
        on
            label_windows.as_of_date < label_orders.ordered_date
            and label_windows.label_end_date >= label_orders.ordered_date
    group by
        label_windows.as_of_month,
        label_orders.customer_id
{%- endmacro %}

{% macro churn_is_label_elapsed(window) -%}
    {{ window }}.label_end_date <= {{ window }}.last_data_date
{%- endmacro %}

{% macro churn_is_churned(is_label_elapsed, next_ordered_date) -%}
    case when {{ is_label_elapsed }} then {{ next_ordered_date }} is null end
{%- endmacro %}


{#- int_analysis__churn_features' post-hook for one group: the group's columns of the stored rows of the months whose
    signature changed in that group's part but not in the first (refreshed_months), computed again from the group's
    input: a query of customer_id, as_of_month and the columns, for update_month_columns. -#}
{% macro churn_refreshed_group(group) -%}
    {%- set months = ref('int_analysis__churn_months') -%}
    with refreshed_windows as (
        select months.*
        from {{ months }} as months
        inner join (
            {{ refreshed_months(
                'select as_of_month, input_signature from ' ~ months, churn_signature_part(group)) }}
        ) as refreshed
            on months.as_of_month = refreshed.as_of_month
    ),

    {%- if group == 'label' %}

        next_orders as (
            {{ churn_next_orders('refreshed_windows', ref('int_analysis__churn_placed_orders')) }}
        ),

        stored_labels as (
            select
                stored_rows.customer_id,
                stored_rows.as_of_month,
                {{ churn_is_label_elapsed('refreshed_windows') }} as is_label_elapsed,
                next_orders.next_ordered_date
            from {{ this }} as stored_rows
            inner join refreshed_windows
                on stored_rows.as_of_month = refreshed_windows.as_of_month
            left join next_orders
                on
                    stored_rows.customer_id = next_orders.customer_id
                    and stored_rows.as_of_month = next_orders.as_of_month
        )

        select
            *,
            {{ churn_is_churned('is_label_elapsed', 'next_ordered_date') }} as is_churned
        from stored_labels

    {%- else %}
        {%- set input = ref('int_analysis__churn_contacts') if group == 'contacts'
            else ref('int_analysis__churn_survey_answers') %}

        group_rows as (
            {%- set month_rows -%}
                (
                    select inputs.*
                    from {{ input }} as inputs
                    inner join refreshed_windows
                        on inputs.as_of_month = refreshed_windows.as_of_month
                ) as month_rows
            {%- endset %}
            {{ churn_contact_features(month_rows) if group == 'contacts' else churn_survey_features(month_rows) }}
        )

        select
            stored_rows.customer_id,
            stored_rows.as_of_month,
            {{ churn_contact_columns('group_rows') if group == 'contacts' else churn_survey_columns('group_rows') }}
        from {{ this }} as stored_rows
        inner join refreshed_windows
            on stored_rows.as_of_month = refreshed_windows.as_of_month
        left join group_rows
            on
                stored_rows.customer_id = group_rows.customer_id
                and stored_rows.as_of_month = group_rows.as_of_month
        {#- a customer with none before and none now keeps its zeros and nulls #}
        where
            stored_rows.{{ 'contacts' if group == 'contacts' else 'survey_responses' }} > 0
            or group_rows.customer_id is not null
    {%- endif %}
{%- endmacro %}

{#- analysis_customer_churn_risk's post-hook: the label of the months whose label part alone changed, as the
    features now hold it (a query for update_month_columns). -#}
{% macro churn_risk_refreshed_labels() -%}
    {%- set signatures = churn_risk_month_signatures(
        ref('int_analysis__churn_months'), ref('int_analysis__churn_scores')) -%}
    select
        features.customer_id,
        features.as_of_month,
        features.is_label_elapsed,
        features.next_ordered_date,
        features.is_churned
    from {{ ref('int_analysis__churn_features') }} as features
    inner join ({{ refreshed_months(signatures, 2) }}) as refreshed
        on features.as_of_month = refreshed.as_of_month
{%- endmacro %}
