{#- The composite quality score (kpis.md) per month x agent and per month x team: every KPI of
    seeds/quality_score_weights.csv scored 0-100 between its floor and target, dimension scores and the total with
    the weights renormalised over the KPIs that have enough observations, kpis_used, rank and percentile among
    peers. Rules in _int_analysis__quality_scores.yml. -#}
{%- set kpi_columns = quality_score_kpi_columns() -%}

with agent_months as (

    select * from {{ ref('int_analysis__agent_months') }}

),

team_months as (

    select * from {{ ref('int_analysis__team_months') }}

),

weights as (

    select * from {{ ref('quality_score_weights') }}

),

subjects as (

    select
        'agent' as grain,
        month,
        agent_id as subject_id,
        agent_id,
        team,
        {%- for kpi, columns in kpi_columns.items() %}
            {{ columns[0] }} as {{ kpi }}__value,
            {{ columns[1] }} as {{ kpi }}__n{% if not loop.last %},{% endif %}
        {%- endfor %}
    from agent_months

    union all

    select
        'team' as grain,
        month,
        team as subject_id,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        team,
        {%- for kpi, columns in kpi_columns.items() %}
            {{ columns[0] }} as {{ kpi }}__value,
            {{ columns[1] }} as {{ kpi }}__n{% if not loop.last %},{% endif %}
        {%- endfor %}
    from team_months

),

kpi_observations as (

    select
        subjects.grain,
        subjects.month,
        subjects.subject_id,
        subjects.agent_id,
        subjects.team,
        weights.dimension,
        weights.dimension_weight,
        weights.kpi,
        weights.kpi_weight,
        weights.floor,
        weights.target,
        weights.min_n,
        case weights.kpi
            {%- for kpi in kpi_columns %}
                when '{{ kpi }}' then subjects.{{ kpi }}__value
            {%- endfor %}
        end as kpi_value,
        case weights.kpi
            {%- for kpi in kpi_columns %}
                when '{{ kpi }}' then subjects.{{ kpi }}__n
            {%- endfor %}
        end as kpi_n
    from subjects
    cross join weights

),

kpi_scores as (

    select
        *,
        kpi_value is not null and coalesce(kpi_n, 0) >= min_n as is_used,
        case
            when kpi_value is not null and coalesce(kpi_n, 0) >= min_n
                then 100 * least(greatest((kpi_value - floor) / (target - floor), 0), 1)
        end as kpi_score
    from kpi_observations

),

dimension_scores as (

    select
        grain,
        month,
        subject_id,
        agent_id,
        team,
        dimension,
        max(dimension_weight) as dimension_weight,
        {{ ratio(sum_where('kpi_weight * kpi_score', 'is_used'), sum_where('kpi_weight', 'is_used')) }}
            as dimension_score,
        {{ count_where('is_used') }} as kpis_used,
        count(*) as kpis_total
    from kpi_scores
    group by
        grain,
        month,
        subject_id,
        agent_id,
        team,
        dimension

),

totals as (

    select
        grain,
        month,
        subject_id,
        agent_id,
        team,
        {{ ratio(
            sum_where('dimension_weight * dimension_score', 'dimension_score is not null'),
            sum_where('dimension_weight', 'dimension_score is not null')
        ) }} as quality_score,
        {%- for dimension in quality_score_dimensions() %}
            max(case when dimension = '{{ dimension }}' then dimension_score end) as {{ dimension }}_score,
        {%- endfor %}
        cast(sum(kpis_used) as {{ dbt.type_bigint() }}) as kpis_used,
        cast(sum(kpis_total) as {{ dbt.type_bigint() }}) as kpis_total
    from dimension_scores
    group by
        grain,
        month,
        subject_id,
        agent_id,
        team

),

ranked as (

    select
        *,
        case when grain = 'agent' then team end as peer_group,
        case
            when quality_score is not null then rank() over (
                partition by grain, month, case when grain = 'agent' then team end, quality_score is null
                order by quality_score desc
            )
        end as quality_rank,
        case
            when quality_score is not null then cume_dist() over (
                partition by grain, month, case when grain = 'agent' then team end, quality_score is null
                order by quality_score
            )
        end as quality_percentile,
        count(quality_score) over (
            partition by grain, month, case when grain = 'agent' then team end
        ) as peers_scored
    from totals

),

final as (

    select
        grain,
        month,
        subject_id,
        agent_id,
        team,
        quality_score,
        {%- for dimension in quality_score_dimensions() %}
            {{ dimension }}_score,
        {%- endfor %}
        kpis_used,
        kpis_total,
        peer_group,
        cast(quality_rank as {{ dbt.type_bigint() }}) as quality_rank,
        cast(quality_percentile as {{ type_double() }}) as quality_percentile,
        cast(peers_scored as {{ dbt.type_bigint() }}) as peers_scored
    from ranked

)

select * from final
