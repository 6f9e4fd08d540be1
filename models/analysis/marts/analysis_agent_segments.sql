{#- Agent segments per month: a row per month x agent (row_type 'agent') and a profile row per month x segment
    (row_type 'segment_profile'), from int_analysis__agent_segments. Rules in _analysis_agent_segments.yml. -#}
{%- set features = [
    'live_aht_seconds', 'fcr_rate', 'csat_avg', 'transfer_rate', 'adherence', 'contacts_per_productive_hour',
] -%}

with segments as (

    select * from {{ ref('int_analysis__agent_segments') }}

),

final as (

    select
        cast(row_type as {{ dbt.type_string() }}) as row_type,
        cast(month as date) as month,
        cast(agent_id as {{ dbt.type_string() }}) as agent_id,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(is_segmented as boolean) as is_segmented,
        cast(agents as {{ dbt.type_bigint() }}) as agents,
        cast(handled as {{ dbt.type_bigint() }}) as handled,
        {%- for feature in features %}
            cast({{ feature }} as {{ type_double() }}) as {{ feature }},
            cast({{ feature }}_z as {{ type_double() }}) as {{ feature }}_z,
        {%- endfor %}
        cast(distance_to_centroid as {{ type_double() }}) as distance_to_centroid,
        cast(profile as {{ dbt.type_string() }}) as profile
    from segments

)

select * from final
