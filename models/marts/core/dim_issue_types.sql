{#- One row per issue type (seeds/issue_types.csv): the contact reasons agents and customers pick, plus 'unknown',
    which int_contacts gives a contact whose source sent an issue type the seed does not know. -#}
with issue_types as (

    select * from {{ ref('issue_types') }}

),

seeded as (

    select
        trim(issue_type) as issue_type,
        trim(category) as category,
        trim(label_en) as label_en,
        trim(label_zh) as label_zh
    from issue_types

),

unknown_type as (

    select
        'unknown' as issue_type,
        'unknown' as category,
        'Unknown issue type' as label_en,
        '未知问题类型' as label_zh

),

final as (

    select * from seeded
    union all
    select unknown_type.*
    from unknown_type
    left join seeded
        on unknown_type.issue_type = seeded.issue_type
    where seeded.issue_type is null

)

select * from final
