{#- Agent KPIs per local date x agent: handled contacts by channel, K10-K17, K22-K23, K32 and the day's state and
    schedule seconds. Rules in _kpi_agent_daily.yml. -#}
{%- set channels = ['phone', 'chat', 'email', 'web_form'] -%}
{%- set activity_columns = [
    'logged_in_seconds', 'on_contact_seconds', 'acw_seconds', 'handling_seconds', 'available_seconds',
    'not_available_seconds', 'break_seconds', 'lunch_seconds', 'training_seconds', 'meeting_seconds',
    'scheduled_seconds', 'scheduled_productive_seconds', 'adherence_scheduled_seconds', 'adherent_seconds',
    'overtime_seconds', 'longest_on_contact_streak_seconds',
] -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

agent_days as (

    select * from {{ ref('int_agents__daily') }}

),

agents as (

    select * from {{ ref('dim_agents') }}

),

completeness as (

    select distinct
        date_day,
        is_complete_day
    from {{ ref('data_completeness_daily') }}

),

handled_contacts as (

    select *
    from contacts
    where {{ is_handled() }} and agent_id is not null

),

contact_daily as (

    select
        agent_id,
        arrived_date_local as date_day,
        count(*) as handled,
        {%- for channel in channels %}
            {{ count_where("channel = '" ~ channel ~ "'") }} as handled_{{ channel }},
        {%- endfor %}
        {{ count_where('handle_seconds is not null') }} as handled_with_handle_time,
        {{ sum_where('handle_seconds', 'true') }} as sum_handle_seconds,
        {{ sum_where('talk_seconds', 'handle_seconds is not null') }} as sum_talk_seconds,
        {{ sum_where('hold_seconds', 'handle_seconds is not null') }} as sum_hold_seconds,
        {{ sum_where('acw_seconds', 'handle_seconds is not null') }} as sum_acw_seconds,
        {{ count_where('transfer_count > 0') }} as transferred,
        {{ count_where("fcr_status = 'resolved_first_contact'") }} as fcr_resolved_first_contact,
        {{ count_where("fcr_status in ('resolved_first_contact', 'repeat_contact', 'unresolved')") }}
            as fcr_denominator,
        {{ count_where("fcr_status = 'pending'") }} as fcr_pending
    from handled_contacts
    group by
        agent_id,
        arrived_date_local

),

surveyed_contacts as (

    select
        handled_contacts.agent_id,
        handled_contacts.arrived_date_local as date_day,
        survey_responses.is_responded,
        survey_responses.csat,
        survey_responses.is_csat_top2
    from survey_responses
    inner join handled_contacts
        on survey_responses.contact_id = handled_contacts.contact_id

),

survey_daily as (

    select
        agent_id,
        date_day,
        count(*) as surveys_sent,
        {{ count_where('is_responded') }} as surveys_responded,
        {{ csat_aggregates() }}
    from surveyed_contacts
    group by
        agent_id,
        date_day

),

agent_date_keys as (

    select
        agent_id,
        date_day
    from contact_daily
    union
    select
        agent_id,
        date_day
    from agent_days

),

keyed_versions as (

    select
        agent_date_keys.agent_id,
        agent_date_keys.date_day,
        day_versions.agent_key,
        day_versions.team,
        day_versions.site
    from agent_date_keys
    left join agents as day_versions
        on
            agent_date_keys.agent_id = day_versions.agent_id
            and {{ agent_version_in_force(
                'day_versions', 'agent_date_keys.date_day', 'valid_from_date', 'valid_to_date'
            ) }}

),

joined as (

    select
        keyed_versions.*,
        coalesce(contact_daily.handled, 0) as handled,
        {%- for channel in channels %}
            coalesce(contact_daily.handled_{{ channel }}, 0) as handled_{{ channel }},
        {%- endfor %}
        coalesce(contact_daily.handled_with_handle_time, 0) as handled_with_handle_time,
        contact_daily.sum_handle_seconds,
        contact_daily.sum_talk_seconds,
        contact_daily.sum_hold_seconds,
        contact_daily.sum_acw_seconds,
        coalesce(contact_daily.transferred, 0) as transferred,
        coalesce(contact_daily.fcr_resolved_first_contact, 0) as fcr_resolved_first_contact,
        coalesce(contact_daily.fcr_denominator, 0) as fcr_denominator,
        coalesce(contact_daily.fcr_pending, 0) as fcr_pending,
        coalesce(survey_daily.surveys_sent, 0) as surveys_sent,
        coalesce(survey_daily.surveys_responded, 0) as surveys_responded,
        {{ csat_carried('survey_daily') }},
        {%- for column in activity_columns %}
            cast(coalesce(agent_days.{{ column }}, 0) as {{ type_double() }}) as {{ column }},
        {%- endfor %}
        agent_days.agent_id is not null as has_activity
    from keyed_versions
    left join contact_daily
        on
            keyed_versions.agent_id = contact_daily.agent_id
            and keyed_versions.date_day = contact_daily.date_day
    left join survey_daily
        on
            keyed_versions.agent_id = survey_daily.agent_id
            and keyed_versions.date_day = survey_daily.date_day
    left join agent_days
        on
            keyed_versions.agent_id = agent_days.agent_id
            and keyed_versions.date_day = agent_days.date_day

),

with_rates as (

    select
        *,
        {{ ratio('handled * 3600', 'logged_in_seconds') }} as handled_per_logged_in_hour
    from joined

),

team_medians as (

    select
        date_day,
        team,
        {{ percentile_cont('handled_per_logged_in_hour', 0.5) }} as team_median_handled_per_logged_in_hour
    from with_rates
    where team is not null
    group by
        date_day,
        team

),

final as (

    select
        with_rates.date_day,
        with_rates.agent_id,
        with_rates.agent_key,
        with_rates.team,
        with_rates.site,
        with_rates.handled,
        {%- for channel in channels %}
            with_rates.handled_{{ channel }},
        {%- endfor %}
        with_rates.handled_with_handle_time,
        with_rates.sum_handle_seconds,
        {{ ratio('with_rates.sum_handle_seconds', 'with_rates.handled_with_handle_time') }} as aht_seconds,
        with_rates.sum_talk_seconds,
        with_rates.sum_hold_seconds,
        with_rates.sum_acw_seconds,
        {{ ratio('with_rates.sum_talk_seconds', 'with_rates.handled_with_handle_time') }} as mean_talk_seconds,
        {{ ratio('with_rates.sum_hold_seconds', 'with_rates.handled_with_handle_time') }} as mean_hold_seconds,
        {{ ratio('with_rates.sum_acw_seconds', 'with_rates.handled_with_handle_time') }} as mean_acw_seconds,
        {%- for column in activity_columns %}
            with_rates.{{ column }},
        {%- endfor %}
        with_rates.handling_seconds + with_rates.available_seconds as productive_seconds,
        {{ ratio('with_rates.handling_seconds', 'with_rates.handling_seconds + with_rates.available_seconds') }}
            as occupancy,
        {{ ratio('with_rates.handling_seconds', 'with_rates.logged_in_seconds') }} as utilization,
        {{ ratio('with_rates.adherent_seconds', 'with_rates.adherence_scheduled_seconds') }} as adherence,
        {{ ratio('with_rates.handled * 3600', 'with_rates.handling_seconds + with_rates.available_seconds') }}
            as contacts_per_productive_hour,
        with_rates.transferred,
        {{ ratio('with_rates.transferred', 'with_rates.handled') }} as transfer_rate,
        with_rates.fcr_resolved_first_contact,
        with_rates.fcr_denominator,
        with_rates.fcr_pending,
        {{ ratio('with_rates.fcr_resolved_first_contact', 'with_rates.fcr_denominator') }} as fcr_rate,
        with_rates.surveys_sent,
        with_rates.surveys_responded,
        with_rates.csat_sum,
        with_rates.csat_responses,
        {{ ratio('with_rates.csat_sum', 'with_rates.csat_responses') }} as csat_avg,
        with_rates.csat_top2_responses,
        {{ ratio('with_rates.csat_top2_responses', 'with_rates.csat_responses') }} as csat_pct,
        with_rates.handled_per_logged_in_hour,
        cast(team_medians.team_median_handled_per_logged_in_hour as {{ type_double() }})
            as team_median_handled_per_logged_in_hour,
        {{ ratio('with_rates.handled_per_logged_in_hour', 'team_medians.team_median_handled_per_logged_in_hour') }}
            as workload_index,
        with_rates.longest_on_contact_streak_seconds > 7200 as has_long_on_contact_streak,
        with_rates.has_activity,
        coalesce(completeness.is_complete_day, false) as is_complete_day
    from with_rates
    left join team_medians
        on
            with_rates.date_day = team_medians.date_day
            and with_rates.team = team_medians.team
    left join completeness
        on with_rates.date_day = completeness.date_day

)

select * from final
