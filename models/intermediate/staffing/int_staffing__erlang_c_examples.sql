{#- The erlang_c macro applied to the reference examples of seeds/erlang_c_examples.csv: one row per example and
    listed staffing level, with the computed curve point and the example's requirement beside the expected
    figures. tests/dbt/assert_erlang_c_matches_reference_examples.sql compares them. -#}
with examples as (

    select * from {{ ref('erlang_c_examples') }}

),

example_inputs as (

    select distinct
        example_id,
        offered,
        aht_seconds,
        interval_seconds,
        sl_threshold_seconds,
        sl_target,
        max_occupancy
    from examples

),

curve as (

    {{ erlang_c('example_inputs', ['example_id'], output='curve') }}

),

requirements as (

    {{ erlang_c('example_inputs', ['example_id']) }}

),

final as (

    select
        examples.example_id,
        examples.agents,
        requirements.traffic_erlangs,
        curve.probability_of_waiting,
        curve.service_level,
        curve.asa_seconds,
        curve.occupancy,
        curve.is_meeting_target,
        requirements.required_agents,
        requirements.service_level_at_required,
        requirements.asa_seconds_at_required,
        requirements.occupancy_at_required,
        requirements.has_requirement,
        examples.expected_service_level,
        examples.expected_asa_seconds,
        examples.expected_required_agents
    from examples
    left join curve
        on
            examples.example_id = curve.example_id
            and examples.agents = curve.agents
    left join requirements
        on examples.example_id = requirements.example_id

)

select * from final
