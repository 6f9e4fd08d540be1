{#- Column groups the daily KPI marts (kpi_service_daily, kpi_issue_type_daily, kpi_customer_source_daily,
    kpi_agent_daily) share, written once. Each emits select-list lines `<expression> as <name>`; the names are the
    marts' contract columns (docs: ../shared/spec/kpis.md). -#}

{#- A response-time measure (`first_response`, `resolution`, `first_response_business`...) aggregated over contact
    rows: how many contacts have it, their summed seconds and (with `percentiles`) the median and 90th percentile
    (K04/K05 inputs). Reads the column `<measure>_seconds`. -#}
{% macro duration_aggregates(measure, percentiles=true) -%}
    {%- set seconds = measure ~ '_seconds' -%}
    count({{ seconds }}) as {{ measure }}_contacts,
    {{ sum_where(seconds, 'true') }} as sum_{{ seconds }}
    {%- if percentiles %},
    {{ percentile_cont(seconds, 0.5) }} as {{ measure }}_median_seconds,
    {{ percentile_cont(seconds, 0.9) }} as {{ measure }}_p90_seconds
    {%- endif %}
{%- endmacro %}

{#- The same columns carried through a left join from `relation` (no contact is 0 contacts, not null). -#}
{% macro duration_carried(measure, relation, percentiles=true) -%}
    coalesce({{ relation }}.{{ measure }}_contacts, 0) as {{ measure }}_contacts,
    {{ relation }}.sum_{{ measure }}_seconds
    {%- if percentiles %},
    {{ relation }}.{{ measure }}_median_seconds,
    {{ relation }}.{{ measure }}_p90_seconds
    {%- endif %}
{%- endmacro %}

{#- The published columns of a measure: count, sum, mean (sum / count) and (with `percentiles`) median and p90 as
    doubles. -#}
{% macro duration_kpis(measure, percentiles=true) -%}
    {{ measure }}_contacts,
    sum_{{ measure }}_seconds,
    {{ ratio('sum_' ~ measure ~ '_seconds', measure ~ '_contacts') }}
        as {{ measure }}_mean_seconds
    {%- if percentiles %},
    cast({{ measure }}_median_seconds as {{ type_double() }}) as {{ measure }}_median_seconds,
    cast({{ measure }}_p90_seconds as {{ type_double() }}) as {{ measure }}_p90_seconds
    {%- endif %}
{%- endmacro %}

{#- CSAT (K22, K23) over survey rows: the sum of scores, the responses with a score, the top-2-box responses. -#}
{% macro csat_aggregates() -%}
    {{ sum_where('csat', 'is_responded') }} as csat_sum,
    {{ count_where('is_responded and csat is not null') }} as csat_responses,
    {{ count_where('is_responded and is_csat_top2') }} as csat_top2_responses
{%- endmacro %}

{#- The CSAT columns carried through a left join from `relation` (no response is 0 responses; the sum stays null). -#}
{% macro csat_carried(relation) -%}
    {{ relation }}.csat_sum,
    coalesce({{ relation }}.csat_responses, 0) as csat_responses,
    coalesce({{ relation }}.csat_top2_responses, 0) as csat_top2_responses
{%- endmacro %}


{#- A handled contact (K10-K17, the agent KPIs): offered and answered; false, never null, when either is unknown. -#}
{% macro is_handled() -%}
    coalesce(is_offered and is_answered, false)
{%- endmacro %}
