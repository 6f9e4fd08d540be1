{#- Pearson correlation of two numeric expressions as an aggregate over the rows where both are not null (SQL
    standard corr; dispatched so an engine without it can compute it from sums). -#}
{% macro correlation(x, y) -%}
    {{ return(adapter.dispatch('correlation', 'contact_center')(x, y)) }}
{%- endmacro %}

{#- Null, not NaN, when either side of the pairs has no variance (one pair, or a constant): DuckDB's corr of one pair
    is NaN, which no range test or reader expects. -#}
{% macro default__correlation(x, y) -%}
    case
        when
            var_samp(case when {{ y }} is not null then {{ x }} end) > 0
            and var_samp(case when {{ x }} is not null then {{ y }} end) > 0
            then corr({{ x }}, {{ y }})
    end
{%- endmacro %}

{#- Fisher z-transform confidence bound of a correlation r from n pairs: tanh(atanh(r) + z / sqrt(n - 3)), written
    with ln and exp only (portable). Null for n <= 3 or |r| = 1. `z_score` is +/-1.959964 for a 95 % interval. -#}
{% macro fisher_ci_bound(r, n, z_score) -%}
    case
        when ({{ n }}) > 3 and abs({{ r }}) < 1 then (
            exp(2 * (0.5 * ln((1 + ({{ r }})) / (1 - ({{ r }}))) + ({{ z_score }}) / sqrt(({{ n }}) - 3))) - 1
        ) / (
            exp(2 * (0.5 * ln((1 + ({{ r }})) / (1 - ({{ r }}))) + ({{ z_score }}) / sqrt(({{ n }}) - 3))) + 1
        )
    end
{%- endmacro %}
