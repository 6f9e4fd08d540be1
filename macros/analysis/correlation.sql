{#- Pearson correlation of two numeric expressions as an aggregate over the rows where both are not null (SQL
    standard corr; dispatched so an engine without it can compute it from sums). -#}
{% macro correlation(x, y) -%}
    {{ return(adapter.dispatch('correlation', 'contact_center')(x, y)) }}
{%- endmacro %}

{% macro default__correlation(x, y) -%}
    corr({{ x }}, {{ y }})
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
