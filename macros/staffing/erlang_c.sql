{#- Erlang C staffing (K28) for every row of `relation`, set-based and numerically stable for thousands of agents.
    Returns a SELECT statement without a WITH clause (nested subqueries), to be used as the body of a CTE:

        required as (
            {{ erlang_c('interval_demand', ['queue_id', 'interval_start_at']) }}
        )

    Inputs (column names of `relation`, overridable): offered contacts in the interval, mean handle time (s), the
    interval length (s), the service-level threshold T (s), the service-level target (fraction) and the maximum
    occupancy (fraction). `key_columns` must identify a row of `relation`.

    Method: traffic A = offered * aht / interval. The Poisson terms are kept as logarithms,
    lnP(k) = k ln A - ln k! (the common factor e^-A cancels), with ln k! the running sum of ln j over a numbers
    spine 0..max_agents, so there is no factorial and no power that overflows. Erlang B in ratio form,
    B(N) = P(N) / sum_{k<=N} P(k), is evaluated as exp(lnP(N) - M) / sum_{k<=N} exp(lnP(k) - M) with M the largest
    lnP of the row: every exponent is <= 0 and the running sum is >= 1 (it holds the mode term), so nothing
    overflows and nothing divides by zero. Then C(N) = N B / (N - A (1 - B)), SL(N) = 1 - C e^{-(N - A) T / h},
    ASA(N) = C h / (N - A), occupancy = A / N. Candidates are N = floor(A) + 1 up to
    max(ceil(A / max_occupancy), floor(A) + 1) + ceil(headroom_sqrt * sqrt(A)) + headroom_agents (capped at
    max_agents): square-root staffing with 6 sqrt(A) spare agents makes the probability of waiting negligible, so
    the bound is never the binding constraint for a target below 1. exp() of a number below -700 is taken as 0
    (engines differ on underflow; PostgreSQL raises an error).

    output='requirement' (default): one row per input row: the key columns, traffic_erlangs, required_agents (the
    smallest candidate N with SL(N) >= target and A / N <= max_occupancy, 1e-9 tolerance on the occupancy
    ratio), service_level_at_required, asa_seconds_at_required, occupancy_at_required and has_requirement.
    No traffic (offered 0 or aht 0) needs 0 agents with has_requirement true and null SL/ASA/occupancy; a null
    input gives null results with has_requirement false; so does a target no candidate reaches (a target of 1).
    output='curve': one row per input row and candidate N: the key columns, traffic_erlangs, agents,
    probability_of_waiting, service_level, asa_seconds, occupancy, is_meeting_target. -#}
{% macro erlang_c(
    relation,
    key_columns,
    offered='offered',
    aht_seconds='aht_seconds',
    interval_seconds='interval_seconds',
    sl_threshold_seconds='sl_threshold_seconds',
    sl_target='sl_target',
    max_occupancy='max_occupancy',
    output='requirement',
    max_agents=5000,
    headroom_sqrt=6,
    headroom_agents=10
) -%}
{%- if output not in ['requirement', 'curve'] -%}
    {{ exceptions.raise_compiler_error("erlang_c: output must be 'requirement' or 'curve', got " ~ output) }}
{%- endif -%}
{%- set keys = key_columns if key_columns is not string else [key_columns] -%}
{%- set double = type_double() -%}
{%- set bigint = dbt.type_bigint() -%}
{%- set curve_sql -%}
    select
        {%- for key in keys %}
        curve_terms.{{ key }},
        {%- endfor %}
        curve_terms.traffic_erlangs,
        curve_terms.k as agents,
        curve_terms.probability_of_waiting,
        1 - curve_terms.probability_of_waiting * {{ _erlang_c_safe_exp(
            '-(curve_terms.k - curve_terms.traffic_erlangs) * curve_terms.sl_threshold_seconds'
            ~ ' / curve_terms.aht_seconds'
        ) }} as service_level,
        curve_terms.probability_of_waiting * curve_terms.aht_seconds
        / (curve_terms.k - curve_terms.traffic_erlangs) as asa_seconds,
        curve_terms.traffic_erlangs / curve_terms.k as occupancy,
        (
            1 - curve_terms.probability_of_waiting * {{ _erlang_c_safe_exp(
                '-(curve_terms.k - curve_terms.traffic_erlangs) * curve_terms.sl_threshold_seconds'
                ~ ' / curve_terms.aht_seconds'
            ) }} >= curve_terms.sl_target
            and curve_terms.traffic_erlangs / curve_terms.k <= curve_terms.max_occupancy + 1e-9
        ) as is_meeting_target
    from (
        select
            erlang_b.*,
            erlang_b.k * erlang_b.blocking
            / (erlang_b.k - erlang_b.traffic_erlangs * (1 - erlang_b.blocking)) as probability_of_waiting
        from (
            select
                running_terms.*,
                {{ _erlang_c_safe_exp('running_terms.ln_term - running_terms.ln_term_max') }}
                / running_terms.scaled_term_sum as blocking
            from (
                select
                    scaled_terms.*,
                    sum({{ _erlang_c_safe_exp('scaled_terms.ln_term - scaled_terms.ln_term_max') }}) over (
                        partition by {% for key in keys %}scaled_terms.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
                        order by scaled_terms.k
                        rows between unbounded preceding and current row
                    ) as scaled_term_sum
                from (
                    select
                        poisson_terms.*,
                        max(poisson_terms.ln_term) over (
                            partition by {% for key in keys %}poisson_terms.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
                        ) as ln_term_max
                    from (
                        select
                            {%- for key in keys %}
                            erlang_inputs.{{ key }},
                            {%- endfor %}
                            erlang_inputs.traffic_erlangs,
                            erlang_inputs.aht_seconds,
                            erlang_inputs.sl_threshold_seconds,
                            erlang_inputs.sl_target,
                            erlang_inputs.max_occupancy,
                            erlang_inputs.min_agents,
                            spine.k,
                            spine.k * ln(erlang_inputs.traffic_erlangs) - spine.ln_factorial as ln_term
                        from ({{ _erlang_c_inputs(relation, keys, offered, aht_seconds, interval_seconds,
                            sl_threshold_seconds, sl_target, max_occupancy, max_agents, headroom_sqrt,
                            headroom_agents) }}) as erlang_inputs
                        inner join ({{ _erlang_c_ln_factorials(max_agents) }}) as spine
                            on spine.k <= erlang_inputs.max_candidate_agents
                        where erlang_inputs.traffic_erlangs > 0
                    ) as poisson_terms
                ) as scaled_terms
            ) as running_terms
        ) as erlang_b
        where erlang_b.k >= erlang_b.min_agents
    ) as curve_terms
{%- endset -%}
{%- if output == 'curve' -%}
{{ curve_sql }}
{%- else -%}
    select
        {%- for key in keys %}
        erlang_inputs.{{ key }},
        {%- endfor %}
        erlang_inputs.traffic_erlangs,
        case
            when erlang_inputs.traffic_erlangs = 0 then cast(0 as {{ bigint }})
            else cast(required.agents as {{ bigint }})
        end as required_agents,
        required.service_level as service_level_at_required,
        required.asa_seconds as asa_seconds_at_required,
        required.occupancy as occupancy_at_required,
        coalesce(erlang_inputs.traffic_erlangs = 0 or required.agents is not null, false) as has_requirement
    from ({{ _erlang_c_inputs(relation, keys, offered, aht_seconds, interval_seconds, sl_threshold_seconds,
        sl_target, max_occupancy, max_agents, headroom_sqrt, headroom_agents) }}) as erlang_inputs
    left join (
        select
            ranked_curve.*
        from (
            select
                curve.*,
                row_number() over (
                    partition by {% for key in keys %}curve.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
                    order by curve.agents
                ) as candidate_rank
            from ({{ curve_sql }}) as curve
            where curve.is_meeting_target
        ) as ranked_curve
        where ranked_curve.candidate_rank = 1
    ) as required
        on
        {%- for key in keys %}
            {{ 'and ' if not loop.first }}erlang_inputs.{{ key }} is not distinct from required.{{ key }}
        {%- endfor %}
{%- endif -%}
{%- endmacro %}


{#- The inputs of erlang_c, one row per input row, with the traffic in Erlangs and the candidate range. -#}
{% macro _erlang_c_inputs(
    relation, keys, offered, aht_seconds, interval_seconds, sl_threshold_seconds, sl_target, max_occupancy,
    max_agents, headroom_sqrt, headroom_agents
) -%}
{%- set double = type_double() -%}
{%- set bigint = dbt.type_bigint() -%}
    select
        with_traffic.*,
        cast(floor(with_traffic.traffic_erlangs) as {{ bigint }}) + 1 as min_agents,
        least(
            {{ max_agents }},
            greatest(
                cast(ceil(with_traffic.traffic_erlangs / with_traffic.max_occupancy) as {{ bigint }}),
                cast(floor(with_traffic.traffic_erlangs) as {{ bigint }}) + 1
            )
            + cast(ceil({{ headroom_sqrt }} * sqrt(with_traffic.traffic_erlangs)) as {{ bigint }})
            + {{ headroom_agents }}
        ) as max_candidate_agents
    from (
        select
            {%- for key in keys %}
            erlang_source.{{ key }},
            {%- endfor %}
            cast(erlang_source.{{ offered }} as {{ double }})
            * cast(erlang_source.{{ aht_seconds }} as {{ double }})
            / cast(erlang_source.{{ interval_seconds }} as {{ double }}) as traffic_erlangs,
            cast(erlang_source.{{ aht_seconds }} as {{ double }}) as aht_seconds,
            cast(erlang_source.{{ sl_threshold_seconds }} as {{ double }}) as sl_threshold_seconds,
            cast(erlang_source.{{ sl_target }} as {{ double }}) as sl_target,
            cast(erlang_source.{{ max_occupancy }} as {{ double }}) as max_occupancy
        from {{ relation }} as erlang_source
    ) as with_traffic
{%- endmacro %}


{#- Numbers k = 0..max_agents with ln k! (the running sum of ln j, j = 1..k; ln 0! = 0). -#}
{% macro _erlang_c_ln_factorials(max_agents) -%}
    select
        numbers.k,
        sum(ln(case when numbers.k > 0 then numbers.k else 1 end)) over (
            order by numbers.k
            rows between unbounded preceding and current row
        ) as ln_factorial
    from (
        select cast(generated_number as {{ dbt.type_bigint() }}) - 1 as k
        from ({{ dbt.generate_series(max_agents + 1) }}) as generated
    ) as numbers
{%- endmacro %}


{#- exp(x) that returns 0 below -700 instead of underflowing (PostgreSQL raises an error on underflow). -#}
{% macro _erlang_c_safe_exp(x) -%}
    case when ({{ x }}) < -700 then 0 else exp({{ x }}) end
{%- endmacro %}
