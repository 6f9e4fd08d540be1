{#- Correlations between daily per-agent KPIs, per month x KPI pair: Pearson r, n, a 95 % Fisher-z confidence
    interval, significance and a too-little-data flag. Rules in _analysis_kpi_correlations.yml. -#}
{%- set kpis = {
    'csat_avg': 'K22', 'fcr_rate': 'K17', 'transfer_rate': 'K16', 'live_aht_seconds': 'K10',
    'asa_seconds': 'K05', 'first_response_seconds': 'K06', 'occupancy': 'K12', 'adherence': 'K14',
    'contacts_per_productive_hour': 'K15', 'workload_index': 'K32',
} -%}
{%- set min_pairs = 30 -%}

with agent_days as (

    select * from {{ ref('int_analysis__agent_days') }}

),

kpi_values as (

    {%- for kpi, kpi_id in kpis.items() %}
        select
            month,
            agent_id,
            date_day,
            '{{ kpi }}' as kpi,
            '{{ kpi_id }}' as kpi_id,
            cast({{ kpi }} as {{ type_double() }}) as kpi_value
        from agent_days
        where {{ kpi }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

{# a pair is one agent's two KPIs on one day, each centred on its mean over the month's pairs of the two KPIs #}
centred_pairs as (

    select
        kpi_a.month,
        kpi_a.kpi as kpi_a,
        kpi_a.kpi_id as kpi_a_id,
        kpi_b.kpi as kpi_b,
        kpi_b.kpi_id as kpi_b_id,
        kpi_a.kpi_value - {{ avg_exact_over('kpi_a.kpi_value', 'kpi_a.month, kpi_a.kpi, kpi_b.kpi') }}
            as deviation_a,
        kpi_b.kpi_value - {{ avg_exact_over('kpi_b.kpi_value', 'kpi_a.month, kpi_a.kpi, kpi_b.kpi') }}
            as deviation_b
    from kpi_values as kpi_a
    inner join kpi_values as kpi_b
        on
            kpi_a.agent_id = kpi_b.agent_id
            and kpi_a.date_day = kpi_b.date_day
            and kpi_a.kpi < kpi_b.kpi

),

correlations as (

    select
        month,
        kpi_a,
        kpi_a_id,
        kpi_b,
        kpi_b_id,
        count(*) as agent_days,
        cast({{ centred_correlation('deviation_a', 'deviation_b') }} as {{ type_double() }}) as pearson_r
    from centred_pairs
    group by
        month,
        kpi_a,
        kpi_a_id,
        kpi_b,
        kpi_b_id

),

with_bounds as (

    select
        *,
        cast({{ fisher_ci_bound('pearson_r', 'agent_days', -1.959964) }} as {{ type_double() }}) as ci_low,
        cast({{ fisher_ci_bound('pearson_r', 'agent_days', 1.959964) }} as {{ type_double() }}) as ci_high
    from correlations

),

final as (

    select
        month,
        kpi_a,
        kpi_a_id,
        kpi_b,
        kpi_b_id,
        cast(agent_days as {{ dbt.type_bigint() }}) as agent_days,
        pearson_r,
        ci_low,
        ci_high,
        coalesce(ci_low > 0 or ci_high < 0, false) as is_significant,
        agent_days < {{ min_pairs }} or pearson_r is null as has_too_little_data
    from with_bounds

)

select * from final
