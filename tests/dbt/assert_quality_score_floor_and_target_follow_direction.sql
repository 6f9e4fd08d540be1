-- A KPI scores 0 at its floor and 1 at its target: the target must be better than the floor in the KPI's
-- direction (higher_is_better: target > floor; lower_is_better: target < floor).
with weights as (

    select * from {{ ref('quality_score_weights') }}

),

final as (

    select
        kpi,
        direction,
        floor,
        target
    from weights
    where
        (direction = 'higher_is_better' and not target > floor)
        or (direction = 'lower_is_better' and not target < floor)

)

select * from final
