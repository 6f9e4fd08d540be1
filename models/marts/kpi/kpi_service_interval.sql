{#- Service and staffing per 30-minute interval x queue: offered, answered, abandoned, K04, K05, K10 and the
    Erlang C requirement (K28), scheduled and logged-in agents (K29) and the staffing gap (K30). Rules in
    _kpi_service_interval.yml. -#}
{%- set interval_seconds = 1800 -%}

with contacts as (

    select * from {{ ref('fct_contacts') }}

),

queues as (

    select * from {{ ref('dim_queues') }}

),

agent_intervals as (

    select * from {{ ref('int_agents__interval_activity') }}

),

queued_contacts as (

    select
        queue_id,
        arrived_date_local,
        agent_id,
        {{ interval_start('arrived_at', 30) }} as interval_start_at,
        coalesce(is_offered, false) as is_offered,
        {{ is_handled() }} as is_handled,
        coalesce(is_offered and is_abandoned, false) as is_abandoned,
        coalesce(is_offered and is_abandoned and is_short_abandon, false) as is_short_abandon,
        coalesce(is_offered and is_within_service_level, false) as is_within_service_level,
        wait_seconds,
        handle_seconds
    from contacts
    where queue_id is not null

),

interval_contacts as (

    select
        queue_id,
        interval_start_at,
        {{ count_where('is_offered') }} as offered,
        {{ count_where('is_handled') }} as answered,
        {{ count_where('is_abandoned') }} as abandoned,
        {{ count_where('is_short_abandon') }} as short_abandoned,
        {{ count_where('is_within_service_level') }} as answered_within_sl,
        {{ sum_where('wait_seconds', 'is_handled') }} as sum_wait_seconds_answered,
        {{ count_where('is_handled and wait_seconds is not null') }} as answered_with_wait,
        {{ count_where('is_handled and handle_seconds is not null') }} as handled_with_handle_time,
        {{ sum_where('handle_seconds', 'is_handled') }} as sum_handle_seconds
    from queued_contacts
    group by
        queue_id,
        interval_start_at

),

queue_day_handle_times as (

    select
        queue_id,
        arrived_date_local as date_day,
        {{ ratio(sum_where('handle_seconds', 'is_handled'), count_where('is_handled and handle_seconds is not null')) }}
            as aht_seconds
    from queued_contacts
    group by
        queue_id,
        arrived_date_local

),

queue_handle_times as (

    select
        queue_id,
        {{ ratio(sum_where('handle_seconds', 'is_handled'), count_where('is_handled and handle_seconds is not null')) }}
            as aht_seconds
    from queued_contacts
    group by queue_id

),

agent_day_queue_contacts as (

    select
        agent_id,
        arrived_date_local as date_day,
        queue_id,
        count(*) as handled
    from queued_contacts
    where
        is_handled
        and agent_id is not null
    group by
        agent_id,
        arrived_date_local,
        queue_id

),

agent_day_queue_shares as (

    select
        agent_id,
        date_day,
        queue_id,
        cast(handled as {{ type_double() }})
        / sum(handled) over (partition by agent_id, date_day) as queue_share
    from agent_day_queue_contacts

),

agent_queue_contacts as (

    select
        agent_id,
        queue_id,
        sum(handled) as handled
    from agent_day_queue_contacts
    group by
        agent_id,
        queue_id

),

agent_queue_shares as (

    select
        agent_id,
        queue_id,
        cast(handled as {{ type_double() }})
        / sum(handled) over (partition by agent_id) as queue_share
    from agent_queue_contacts

),

agent_days_with_contacts as (

    select distinct
        agent_id,
        date_day
    from agent_day_queue_shares

),

agent_interval_shares as (

    select
        agent_intervals.agent_id,
        agent_intervals.interval_start_at,
        agent_intervals.logged_in_seconds,
        agent_intervals.scheduled_productive_seconds,
        agent_day_queue_shares.queue_id,
        agent_day_queue_shares.queue_share
    from agent_intervals
    inner join agent_day_queue_shares
        on
            agent_intervals.agent_id = agent_day_queue_shares.agent_id
            and agent_intervals.date_day = agent_day_queue_shares.date_day

    union all

    select
        agent_intervals.agent_id,
        agent_intervals.interval_start_at,
        agent_intervals.logged_in_seconds,
        agent_intervals.scheduled_productive_seconds,
        agent_queue_shares.queue_id,
        agent_queue_shares.queue_share
    from agent_intervals
    inner join agent_queue_shares
        on agent_intervals.agent_id = agent_queue_shares.agent_id
    left join agent_days_with_contacts
        on
            agent_intervals.agent_id = agent_days_with_contacts.agent_id
            and agent_intervals.date_day = agent_days_with_contacts.date_day
    where agent_days_with_contacts.agent_id is null

),

queue_interval_agents as (

    select
        queue_id,
        interval_start_at,
        {{ sum_exact('logged_in_seconds * queue_share') }} as logged_in_agent_seconds,
        {{ sum_exact('scheduled_productive_seconds * queue_share') }} as scheduled_agent_seconds
    from agent_interval_shares
    group by
        queue_id,
        interval_start_at

),

queue_interval_keys as (

    select
        queue_id,
        interval_start_at
    from interval_contacts
    union
    select
        queue_id,
        interval_start_at
    from queue_interval_agents

),

spine as (

    select
        queue_interval_keys.queue_id,
        queue_interval_keys.interval_start_at,
        queues.channel,
        queues.is_synchronous,
        queues.service_level_threshold_seconds,
        queues.service_level_target,
        queues.max_occupancy,
        queues.shrinkage,
        {{ utc_to_local('queue_interval_keys.interval_start_at', 'queues.time_zone') }} as interval_start_at_local
    from queue_interval_keys
    inner join queues
        on queue_interval_keys.queue_id = queues.queue_id

),

spine_dated as (

    select
        *,
        cast(interval_start_at_local as date) as date_day
    from spine

),

interval_measures as (

    select
        spine_dated.*,
        coalesce(interval_contacts.offered, 0) as offered,
        coalesce(interval_contacts.answered, 0) as answered,
        coalesce(interval_contacts.abandoned, 0) as abandoned,
        coalesce(interval_contacts.short_abandoned, 0) as short_abandoned,
        coalesce(interval_contacts.answered_within_sl, 0) as answered_within_sl,
        interval_contacts.sum_wait_seconds_answered,
        coalesce(interval_contacts.answered_with_wait, 0) as answered_with_wait,
        coalesce(interval_contacts.handled_with_handle_time, 0) as handled_with_handle_time,
        interval_contacts.sum_handle_seconds,
        {{ ratio('interval_contacts.sum_handle_seconds', 'interval_contacts.handled_with_handle_time') }}
            as aht_seconds,
        queue_day_handle_times.aht_seconds as queue_day_aht_seconds,
        queue_handle_times.aht_seconds as queue_aht_seconds
    from spine_dated
    left join interval_contacts
        on
            spine_dated.queue_id = interval_contacts.queue_id
            and spine_dated.interval_start_at = interval_contacts.interval_start_at
    left join queue_day_handle_times
        on
            spine_dated.queue_id = queue_day_handle_times.queue_id
            and spine_dated.date_day = queue_day_handle_times.date_day
    left join queue_handle_times
        on spine_dated.queue_id = queue_handle_times.queue_id

),

staffing_inputs as (

    select
        queue_id,
        interval_start_at,
        offered,
        coalesce(aht_seconds, queue_day_aht_seconds, queue_aht_seconds) as staffing_aht_seconds,
        {{ interval_seconds }} as interval_seconds,
        service_level_threshold_seconds,
        service_level_target,
        max_occupancy
    from interval_measures
    where is_synchronous

),

requirements as (

    {{ erlang_c(
        'staffing_inputs',
        ['queue_id', 'interval_start_at'],
        offered='offered',
        aht_seconds='staffing_aht_seconds',
        interval_seconds='interval_seconds',
        sl_threshold_seconds='service_level_threshold_seconds',
        sl_target='service_level_target',
        max_occupancy='max_occupancy',
    ) }}

),

joined as (

    select
        interval_measures.*,
        requirements.traffic_erlangs,
        requirements.required_agents,
        requirements.service_level_at_required,
        requirements.asa_seconds_at_required,
        requirements.occupancy_at_required,
        coalesce(queue_interval_agents.logged_in_agent_seconds, 0) as logged_in_agent_seconds,
        coalesce(queue_interval_agents.scheduled_agent_seconds, 0) as scheduled_agent_seconds
    from interval_measures
    left join requirements
        on
            interval_measures.queue_id = requirements.queue_id
            and interval_measures.interval_start_at = requirements.interval_start_at
    left join queue_interval_agents
        on
            interval_measures.queue_id = queue_interval_agents.queue_id
            and interval_measures.interval_start_at = queue_interval_agents.interval_start_at

),

final as (

    select
        interval_start_at,
        {{ dbt.dateadd('minute', 30, 'interval_start_at') }} as interval_end_at,
        interval_start_at_local,
        date_day,
        queue_id,
        channel,
        offered,
        answered,
        abandoned,
        short_abandoned,
        answered_within_sl,
        offered - short_abandoned as sl_denominator,
        {{ ratio('answered_within_sl', 'offered - short_abandoned') }} as service_level,
        sum_wait_seconds_answered,
        answered_with_wait,
        {{ ratio('sum_wait_seconds_answered', 'answered_with_wait') }} as asa_seconds,
        handled_with_handle_time,
        sum_handle_seconds,
        aht_seconds,
        case
            when not is_synchronous then cast(null as {{ dbt.type_string() }})
            when aht_seconds is not null then 'interval'
            when queue_day_aht_seconds is not null then 'queue_day'
            when queue_aht_seconds is not null then 'queue'
        end as staffing_aht_basis,
        case
            when is_synchronous then coalesce(aht_seconds, queue_day_aht_seconds, queue_aht_seconds)
        end as staffing_aht_seconds,
        traffic_erlangs,
        required_agents,
        service_level_at_required,
        asa_seconds_at_required,
        occupancy_at_required,
        shrinkage,
        cast(ceil(required_agents / (1 - shrinkage) - 1e-9) as {{ dbt.type_bigint() }}) as scheduled_requirement,
        scheduled_agent_seconds,
        scheduled_agent_seconds / {{ interval_seconds }} as scheduled_agents,
        logged_in_agent_seconds,
        logged_in_agent_seconds / {{ interval_seconds }} as logged_in_agents,
        logged_in_agent_seconds / {{ interval_seconds }} - required_agents as staffing_gap
    from joined

)

select * from final
