{{ day_window_config('date_day') }}

{#- One row per agent state interval from the agent event stream: each event's state lasts until the agent's
    next event, or to the end of the agent's local day when the session was left open. Rules in
    _int_agents__state_intervals.yml. Incremental by day window (macros/incremental/day_window.sql): a local day's
    intervals depend on that day's events only (a state left open is closed at the end of its local day), so a
    daily build reads the events from one UTC day before the window (local days start up to 14 hours earlier)
    and recomputes the window's days. -#}

with agent_events as (

    select * from {{ ref('stg_telephony__agent_events') }}

),

agent_identifiers as (

    select * from {{ ref('int_agents__identifiers') }}

),

site_history as (

    select * from {{ ref('int_agents__site_history') }}

),

zone_half_hours as (

    select * from {{ ref('int_workforce__zone_half_hours') }}

),

timed_events as (

    select * from agent_events
    where event_at is not null

),

usernames as (

    select * from agent_identifiers
    where identifier_type = 'telephony_username'

),

agent_events_mapped as (

    select
        timed_events.event_id,
        usernames.agent_id,
        timed_events.event_at,
        timed_events.state
    from timed_events
    inner join usernames
        on lower(timed_events.agent_username) = lower(usernames.identifier_value)
    where {{ in_day_window('cast(timed_events.event_at as date)', lookback_days=1, agent_column='usernames.agent_id') }}

),

{# A state outside the canonical list (a flat event's unknown State, or an aux status the staging model could not
    name) is OTHER: counted as unknown_agent_state in data_quality_daily, never a failed test; it is not available
    time (state_class not_available). #}
canonical_events as (

    select
        event_id,
        agent_id,
        event_at,
        case
            when state in (
                'LOGIN', 'AVAILABLE', 'ON_CONTACT', 'AFTER_CONTACT_WORK', 'BREAK', 'LUNCH', 'TRAINING', 'MEETING',
                'NOT_READY', 'LOGOUT'
            ) then state
            else 'OTHER'
        end as state
    from agent_events_mapped

),

with_time_zone as (

    select
        canonical_events.*,
        site_history.site,
        site_history.site_time_zone
    from canonical_events
    inner join site_history
        on
            canonical_events.agent_id = site_history.agent_id
            and cast(canonical_events.event_at as date) >= site_history.valid_from_date
            and cast(canonical_events.event_at as date) < site_history.valid_to_date

),

{# The event's local date and the UTC end of that local day, looked up by (time zone, half hour). #}
localized as (

    select
        with_time_zone.*,
        zone_half_hours.local_date as date_day,
        zone_half_hours.local_day_ends_at as day_ends_at
    from with_time_zone
    left join zone_half_hours
        on
            with_time_zone.site_time_zone = zone_half_hours.time_zone
            and {{ interval_start('with_time_zone.event_at', 30) }} = zone_half_hours.interval_start_at

),

with_day_end as (

    select
        *,
        {#- events at the same instant: the state entered last is the one that lasts (see the model's docs) -#}
        case state
            when 'LOGIN' then 0
            when 'AVAILABLE' then 1
            when 'ON_CONTACT' then 3
            when 'AFTER_CONTACT_WORK' then 4
            when 'LOGOUT' then 5
            else 2
        end as same_instant_rank
    from localized

),

sequenced as (

    select
        *,
        lead(event_at) over (
            partition by agent_id
            order by event_at, same_instant_rank, event_id
        ) as next_event_at
    from with_day_end

),

intervals as (

    select
        event_id as state_interval_id,
        agent_id,
        site,
        site_time_zone,
        date_day,
        state,
        event_at as started_at,
        case
            when next_event_at <= day_ends_at then next_event_at
            else day_ends_at
        end as ended_at,
        coalesce(next_event_at > day_ends_at, true) as is_closed_at_day_end
    from sequenced
    where state <> 'LOGOUT'

),

classified as (

    select
        *,
        case state
            when 'ON_CONTACT' then 'on_contact'
            when 'AFTER_CONTACT_WORK' then 'acw'
            when 'AVAILABLE' then 'available'
            else 'not_available'
        end as state_class,
        {{ seconds_between('started_at', 'ended_at') }} as seconds
    from intervals

),

final as (

    select
        state_interval_id,
        agent_id,
        site,
        site_time_zone,
        date_day,
        state,
        state_class,
        started_at,
        ended_at,
        seconds,
        is_closed_at_day_end
    from classified
    where
        ended_at > started_at
        and {{ in_day_window('date_day', agent_column='agent_id') }}

)

select * from final
