-- The quality score is a weighted sum of dimension scores, each a weighted sum of KPI scores: the KPI weights
-- sum to 1 within every dimension, every row of a dimension carries the same dimension weight, and the
-- dimension weights, counted once per dimension, sum to 1. Returns one row per violation.
{%- set tolerance = 0.000001 %}

with weights as (

    select * from {{ ref('quality_score_weights') }}

),

dimensions as (

    select
        dimension,
        sum(kpi_weight) as kpi_weight_total,
        min(dimension_weight) as dimension_weight,
        max(dimension_weight) as dimension_weight_max
    from weights
    group by dimension

),

kpi_weight_violations as (

    select
        'kpi weights of dimension ' || dimension || ' do not sum to 1' as violation,
        kpi_weight_total as total
    from dimensions
    where abs(kpi_weight_total - 1) > {{ tolerance }}

),

dimension_weight_conflicts as (

    select
        'dimension ' || dimension || ' has more than one dimension_weight' as violation,
        dimension_weight_max - dimension_weight as total
    from dimensions
    where dimension_weight_max - dimension_weight > {{ tolerance }}

),

dimension_totals as (

    select sum(dimension_weight) as dimension_weight_total
    from dimensions

),

dimension_weight_violations as (

    select
        'dimension weights do not sum to 1' as violation,
        dimension_weight_total as total
    from dimension_totals
    where abs(dimension_weight_total - 1) > {{ tolerance }}

),

final as (

    select * from kpi_weight_violations
    union all
    select * from dimension_weight_conflicts
    union all
    select * from dimension_weight_violations

)

select * from final
