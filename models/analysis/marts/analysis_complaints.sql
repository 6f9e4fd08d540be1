{#- Why customers complain: one row per period (ISO week, month) x slice (queue, team, channel, issue type and the
    contact's service level, repeat, transfer and resolution) with the complaint volume and rate, the waits,
    repeats, FCR and resolution of the complaints beside all contacts, the change against the previous period and
    the movers. Rules in _analysis_complaints.yml. -#}
{%- set mover_min_contacts = config.get('mover_min_contacts', 200) -%}
{%- set mover_min_z = config.get('mover_min_z', 1.96) -%}

with slices as (

    select * from {{ ref('int_analysis__complaint_slices') }}

),

rated as (

    select
        *,
        {{ ratio('complaint_contacts', 'contacts') }} as complaint_rate,
        {{ ratio('negative_feedback_contacts', 'csat_contacts') }} as negative_feedback_rate,
        {{ ratio('sum_wait_seconds', 'answered_live') }} as asa_seconds,
        {{ ratio('repeat_contacts', 'known_customer') }} as repeat_contact_rate,
        {{ ratio('fcr_resolved_first_contact', 'fcr_denominator') }} as fcr_rate,
        {{ ratio('resolved', 'handled') }} as resolution_rate,
        {{ ratio('complaint_sum_wait_seconds', 'complaint_answered_live') }} as complaint_asa_seconds,
        {{ ratio('complaint_repeat_contacts', 'complaint_known_customer') }} as complaint_repeat_contact_rate,
        {{ ratio('complaint_fcr_resolved_first_contact', 'complaint_fcr_denominator') }} as complaint_fcr_rate,
        {{ ratio('complaint_resolved', 'complaint_handled') }} as complaint_resolution_rate,
        {{ ratio('complaint_sum_resolution_seconds', 'complaint_resolved_with_time') }}
            as complaint_resolution_seconds_avg
    from slices

),

with_previous as (

    select
        rated.*,
        previous.contacts as previous_contacts,
        previous.complaint_contacts as previous_complaint_contacts,
        previous.complaint_rate as previous_complaint_rate
    from rated
    left join rated as previous
        on
            rated.period_type = previous.period_type
            and rated.previous_period_start = previous.period_start
            and rated.dimension = previous.dimension
            and rated.dimension_value = previous.dimension_value

),

compared as (

    select
        *,
        max(case when dimension = 'all' then complaint_rate end) over (
            partition by period_type, period_start
        ) as period_complaint_rate,
        max(period_start) over (partition by period_type) as latest_period_start,
        complaint_rate - previous_complaint_rate as complaint_rate_change,
        {{ ratio(
            'complaint_contacts + previous_complaint_contacts', 'contacts + previous_contacts'
        ) }} as pooled_complaint_rate
    from with_previous

),

tested as (

    select
        *,
        case
            when pooled_complaint_rate > 0 and pooled_complaint_rate < 1
                then complaint_rate_change / sqrt(
                    pooled_complaint_rate * (1 - pooled_complaint_rate)
                    * (1.0 / contacts + 1.0 / previous_contacts)
                )
        end as complaint_rate_change_z,
        dimension <> 'all'
        and contacts >= {{ mover_min_contacts }}
        and coalesce(previous_contacts >= {{ mover_min_contacts }}, false) as is_mover_eligible
    from compared

),

judged as (

    select
        *,
        case
            when is_mover_eligible and complaint_rate_change_z >= {{ mover_min_z }} then 'rose'
            when is_mover_eligible and complaint_rate_change_z <= -{{ mover_min_z }} then 'fell'
        end as mover_direction
    from tested

),

ranked as (

    select
        *,
        case
            when mover_direction is not null
                then row_number() over (
                    partition by period_type, period_start, mover_direction
                    order by abs(complaint_rate_change) desc, dimension asc, dimension_value asc
                )
        end as mover_rank
    from judged

),

final as (

    select
        cast(period_type as {{ dbt.type_string() }}) as period_type,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        period_start = latest_period_start as is_latest_period,
        period_end <= data_last_date as is_complete_period,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(contacts as {{ dbt.type_bigint() }}) as contacts,
        cast(complaint_contacts as {{ dbt.type_bigint() }}) as complaint_contacts,
        cast(complaint_issue_contacts as {{ dbt.type_bigint() }}) as complaint_issue_contacts,
        cast(negative_feedback_contacts as {{ dbt.type_bigint() }}) as negative_feedback_contacts,
        cast(csat_contacts as {{ dbt.type_bigint() }}) as csat_contacts,
        cast(complaint_rate as {{ type_double() }}) as complaint_rate,
        cast({{ ratio('complaint_rate', 'period_complaint_rate') }} as {{ type_double() }}) as complaint_rate_lift,
        cast(negative_feedback_rate as {{ type_double() }}) as negative_feedback_rate,
        cast(asa_seconds as {{ type_double() }}) as asa_seconds,
        cast(complaint_asa_seconds as {{ type_double() }}) as complaint_asa_seconds,
        cast(repeat_contact_rate as {{ type_double() }}) as repeat_contact_rate,
        cast(complaint_repeat_contact_rate as {{ type_double() }}) as complaint_repeat_contact_rate,
        cast(fcr_rate as {{ type_double() }}) as fcr_rate,
        cast(complaint_fcr_rate as {{ type_double() }}) as complaint_fcr_rate,
        cast(resolution_rate as {{ type_double() }}) as resolution_rate,
        cast(complaint_resolution_rate as {{ type_double() }}) as complaint_resolution_rate,
        cast(complaint_resolution_seconds_avg as {{ type_double() }}) as complaint_resolution_seconds_avg,
        cast(previous_contacts as {{ dbt.type_bigint() }}) as previous_contacts,
        cast(previous_complaint_contacts as {{ dbt.type_bigint() }}) as previous_complaint_contacts,
        cast(previous_complaint_rate as {{ type_double() }}) as previous_complaint_rate,
        cast(complaint_rate_change as {{ type_double() }}) as complaint_rate_change,
        cast(complaint_rate_change_z as {{ type_double() }}) as complaint_rate_change_z,
        is_mover_eligible,
        cast(mover_direction as {{ dbt.type_string() }}) as mover_direction,
        cast(mover_rank as {{ dbt.type_int() }}) as mover_rank
    from ranked

)

select * from final
