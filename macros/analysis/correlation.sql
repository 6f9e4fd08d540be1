{#- Pearson correlation, as an aggregate, of pairs already centred on their group's means (`dx`, `dy`: each value
    minus the mean of its side, avg_exact_over), from sums added up exactly (sum_exact, 12 places): the SQL standard
    corr adds doubles in the order the engine's threads meet the rows, so two builds of the same pairs differed in the
    last bits. Null, not NaN, when either side has no variance (one pair, or a constant: its deviations from a mean
    taken at 9 places are under 10^-9 and square to 0 at 12 places). -#}
{% macro centred_correlation(dx, dy) -%}
    {%- set sum_xx = sum_exact(dx ~ ' * ' ~ dx, places=12) -%}
    {%- set sum_yy = sum_exact(dy ~ ' * ' ~ dy, places=12) -%}
    case
        when {{ sum_xx }} > 0 and {{ sum_yy }} > 0
            then {{ sum_exact(dx ~ ' * ' ~ dy, places=12) }} / sqrt({{ sum_xx }} * {{ sum_yy }})
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
