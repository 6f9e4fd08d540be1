{#- Complaint sums per period (ISO week, month of the local arrival date) x slice dimension x value: the numerators
    and denominators analysis_complaints turns into rates, trend and movers. Rules in
    _int_analysis__complaint_slices.yml. -#}
{%- set periods = {'week': 'week_start', 'month': 'month_start'} -%}
{%- set dimensions = [
    'all', 'queue', 'team', 'channel', 'issue_type', 'service_level', 'repeat_contact', 'transfer', 'resolution'
] -%}

with complaint_contacts as (

    select * from {{ ref('int_analysis__complaint_contacts') }}

),

data_bounds as (

    select max(arrived_date_local) as data_last_date
    from complaint_contacts

),

measured as (

    select
        *,
        is_live_channel and is_answered and wait_seconds is not null as is_answered_live,
        fcr_status = 'resolved_first_contact' as is_fcr_resolved_first_contact,
        fcr_status in ('resolved_first_contact', 'repeat_contact', 'unresolved') as is_fcr_judged,
        is_answered and is_resolved as is_handled_resolved,
        is_answered and is_resolved and resolution_seconds is not null as has_resolution_time
    from complaint_contacts

),

slice_keys as (

    {%- for period_type in periods %}
        {%- set is_last_period = loop.last %}
        {%- for dimension in dimensions %}
            select
                '{{ period_type }}' as period_type,
                '{{ dimension }}' as dimension
            {%- if not (is_last_period and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

),

keyed as (

    select
        slice_keys.period_type,
        slice_keys.dimension,
        case slice_keys.period_type
            {%- for period_type, period_column in periods.items() %}
                when '{{ period_type }}' then measured.{{ period_column }}
            {%- endfor %}
        end as period_start,
        case slice_keys.dimension
            {%- for dimension in dimensions %}
                when '{{ dimension }}' then {{ "'all'" if dimension == 'all' else 'measured.' ~ dimension ~ '_value' }}
            {%- endfor %}
        end as dimension_value,
        measured.*
    from measured
    cross join slice_keys

),

sliced as (

    select
        period_type,
        period_start,
        dimension,
        dimension_value,
        count(*) as contacts,
        {{ count_where('is_complaint') }} as complaint_contacts,
        {{ count_where('is_complaint_issue') }} as complaint_issue_contacts,
        {{ count_where('has_negative_feedback') }} as negative_feedback_contacts,
        {{ count_where('has_csat') }} as csat_contacts,
        {{ count_where('is_answered_live') }} as answered_live,
        {{ sum_where('wait_seconds', 'is_answered_live') }} as sum_wait_seconds,
        {{ count_where('has_known_customer') }} as known_customer,
        {{ count_where('is_repeat_contact') }} as repeat_contacts,
        {{ count_where('is_fcr_resolved_first_contact') }} as fcr_resolved_first_contact,
        {{ count_where('is_fcr_judged') }} as fcr_denominator,
        {{ count_where('is_answered') }} as handled,
        {{ count_where('is_handled_resolved') }} as resolved,
        {{ count_where('has_resolution_time') }} as resolved_with_time,
        {{ sum_where('resolution_seconds', 'has_resolution_time') }} as sum_resolution_seconds,
        {{ count_where('is_complaint and is_answered_live') }} as complaint_answered_live,
        {{ sum_where('wait_seconds', 'is_complaint and is_answered_live') }} as complaint_sum_wait_seconds,
        {{ count_where('is_complaint and has_known_customer') }} as complaint_known_customer,
        {{ count_where('is_complaint and is_repeat_contact') }} as complaint_repeat_contacts,
        {{ count_where('is_complaint and is_fcr_resolved_first_contact') }}
            as complaint_fcr_resolved_first_contact,
        {{ count_where('is_complaint and is_fcr_judged') }} as complaint_fcr_denominator,
        {{ count_where('is_complaint and is_answered') }} as complaint_handled,
        {{ count_where('is_complaint and is_handled_resolved') }} as complaint_resolved,
        {{ count_where('is_complaint and has_resolution_time') }} as complaint_resolved_with_time,
        {{ sum_where('resolution_seconds', 'is_complaint and has_resolution_time') }}
            as complaint_sum_resolution_seconds
    from keyed
    group by
        period_type,
        period_start,
        dimension,
        dimension_value

),

final as (

    select
        sliced.period_type,
        sliced.period_start,
        case sliced.period_type
            when 'week' then cast({{ dbt.dateadd('day', 6, 'sliced.period_start') }} as date)
            else cast({{ dbt.last_day('sliced.period_start', 'month') }} as date)
        end as period_end,
        case sliced.period_type
            when 'week' then cast({{ dbt.dateadd('day', -7, 'sliced.period_start') }} as date)
            else cast({{ dbt.dateadd('month', -1, 'sliced.period_start') }} as date)
        end as previous_period_start,
        data_bounds.data_last_date,
        sliced.dimension,
        sliced.dimension_value,
        sliced.contacts,
        sliced.complaint_contacts,
        sliced.complaint_issue_contacts,
        sliced.negative_feedback_contacts,
        sliced.csat_contacts,
        sliced.answered_live,
        sliced.sum_wait_seconds,
        sliced.known_customer,
        sliced.repeat_contacts,
        sliced.fcr_resolved_first_contact,
        sliced.fcr_denominator,
        sliced.handled,
        sliced.resolved,
        sliced.resolved_with_time,
        sliced.sum_resolution_seconds,
        sliced.complaint_answered_live,
        sliced.complaint_sum_wait_seconds,
        sliced.complaint_known_customer,
        sliced.complaint_repeat_contacts,
        sliced.complaint_fcr_resolved_first_contact,
        sliced.complaint_fcr_denominator,
        sliced.complaint_handled,
        sliced.complaint_resolved,
        sliced.complaint_resolved_with_time,
        sliced.complaint_sum_resolution_seconds
    from sliced
    cross join data_bounds

)

select * from final
