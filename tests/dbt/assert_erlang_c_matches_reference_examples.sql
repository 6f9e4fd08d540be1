{#- The erlang_c macro reproduces the reference cases of seeds/erlang_c_examples.csv: SL(N) within 0.002 (the
    published figures have 3 decimals), ASA(N) within 0.05 s, the requirement exactly. Any row returned fails. -#}
with examples as (

    select * from {{ ref('int_staffing__erlang_c_examples') }}

),

final as (

    select *
    from examples
    where
        (agents is not null and (
            service_level is null
            or abs(service_level - expected_service_level) > 0.002
            or abs(asa_seconds - expected_asa_seconds) > 0.05
        ))
        or required_agents is null
        or required_agents <> expected_required_agents

)

select * from final
