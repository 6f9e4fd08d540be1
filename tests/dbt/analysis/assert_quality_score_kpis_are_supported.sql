-- Every KPI of seeds/quality_score_weights.csv must map to a value and an observation count (macro
-- quality_score_kpi_columns) and every dimension must have a score column (macro quality_score_dimensions);
-- otherwise the KPI would silently never be used. Returns one row per unsupported KPI or dimension.
with weights as (

    select * from {{ ref('quality_score_weights') }}

),

unsupported_kpis as (

    select
        'kpi' as kind,
        kpi as name
    from weights
    where kpi not in (
        {%- for kpi in quality_score_kpi_columns() %}
            '{{ kpi }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )

),

unsupported_dimensions as (

    select distinct
        'dimension' as kind,
        dimension as name
    from weights
    where dimension not in (
        {%- for dimension in quality_score_dimensions() %}
            '{{ dimension }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )

),

final as (

    select * from unsupported_kpis
    union all
    select * from unsupported_dimensions

)

select * from final
