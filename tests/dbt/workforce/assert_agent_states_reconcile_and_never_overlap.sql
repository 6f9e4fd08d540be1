{#- fct_agent_states cuts the state intervals without losing or adding a second (per interval, the segments'
    seconds sum to the interval's, and every interval has segments), and an agent's intervals never overlap. -#}

with state_intervals as (

    select * from {{ ref('int_agents__state_intervals') }}

),

agent_states as (

    select * from {{ ref('fct_agent_states') }}

),

segment_totals as (

    select
        state_interval_id,
        sum(seconds) as segment_seconds,
        min(started_at) as first_started_at,
        max(ended_at) as last_ended_at
    from agent_states
    group by state_interval_id

),

reconciliation_failures as (

    select
        state_intervals.state_interval_id,
        'segments do not add up to the interval' as failure
    from state_intervals
    left join segment_totals
        on state_intervals.state_interval_id = segment_totals.state_interval_id
    where
        segment_totals.state_interval_id is null
        or abs(segment_totals.segment_seconds - state_intervals.seconds) > 0.001
        or segment_totals.first_started_at <> state_intervals.started_at
        or segment_totals.last_ended_at <> state_intervals.ended_at

),

with_next as (

    select
        state_interval_id,
        ended_at,
        lead(started_at) over (partition by agent_id order by started_at) as next_started_at
    from state_intervals

),

overlap_failures as (

    select
        state_interval_id,
        'overlaps the next interval of the agent' as failure
    from with_next
    where next_started_at < ended_at

),

final as (

    select * from reconciliation_failures
    union all
    select * from overlap_failures

)

select * from final
