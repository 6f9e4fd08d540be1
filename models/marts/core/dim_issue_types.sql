{#- One row per issue type (seeds/issue_types.csv): the contact reasons agents and customers pick. -#}
with issue_types as (

    select * from {{ ref('issue_types') }}

),

final as (

    select
        trim(issue_type) as issue_type,
        trim(category) as category,
        trim(label_en) as label_en,
        trim(label_zh) as label_zh
    from issue_types

)

select * from final
