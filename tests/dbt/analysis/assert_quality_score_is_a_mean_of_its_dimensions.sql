-- The quality score is a weighted mean of the dimension scores that exist, so it lies between their smallest and
-- largest value, it is null exactly when no dimension has a score, and a scored row used at least one KPI.
-- Returns one row per violation.
with scores as (

    select * from {{ ref('int_analysis__quality_scores') }}

),

dimension_scores as (

    {%- for dimension in quality_score_dimensions() %}
        select
            grain,
            month,
            subject_id,
            {{ dimension }}_score as dimension_score
        from scores
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

dimension_bounds as (

    select
        grain,
        month,
        subject_id,
        min(dimension_score) as lowest_dimension_score,
        max(dimension_score) as highest_dimension_score
    from dimension_scores
    group by
        grain,
        month,
        subject_id

),

final as (

    select
        scores.grain,
        scores.month,
        scores.subject_id,
        scores.quality_score,
        scores.kpis_used,
        dimension_bounds.lowest_dimension_score,
        dimension_bounds.highest_dimension_score
    from scores
    inner join dimension_bounds
        on
            scores.grain = dimension_bounds.grain
            and scores.month = dimension_bounds.month
            and scores.subject_id = dimension_bounds.subject_id
    where
        (scores.quality_score is null) <> (dimension_bounds.highest_dimension_score is null)
        or (scores.quality_score is not null and scores.kpis_used = 0)
        or scores.quality_score < dimension_bounds.lowest_dimension_score - 1e-9
        or scores.quality_score > dimension_bounds.highest_dimension_score + 1e-9

)

select * from final
