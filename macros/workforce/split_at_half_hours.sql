{#-
    split_at_half_hours(rows, columns, start_column='started_at', end_column='ended_at')

    A select of `columns` of `rows` (a relation or an earlier CTE) plus interval_start_at, started_at and ended_at:
    one row per UTC half hour each [start, end) overlaps, its start and end clipped to that half hour.

    An interval inside one half hour is its own segment. The others are joined to a small table of half-hour offsets
    (half hour k = 0, 1, ... after the one the interval starts in, kept while it starts before the interval ends),
    never to a calendar of half hours: an overlap join of every interval with every half hour of the year ran as a
    piecewise merge join at the scale preset (197 s instead of 44 s for 43 M agent-state segments).
    var max_half_hours_per_interval (default 100, i.e. 50 hours) bounds the offsets; callers' intervals end at the
    latest at their local day's end (at most 25 hours), and the reconciliation tests would catch a longer one.
-#}
{% macro split_at_half_hours(rows, columns, start_column='started_at', end_column='ended_at') -%}
    {%- set half_hour_end = dbt.dateadd('minute', 30, 'interval_start_at') -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        interval_start_at,
        case
            when {{ start_column }} > interval_start_at then {{ start_column }}
            else interval_start_at
        end as started_at,
        case
            when {{ end_column }} < {{ half_hour_end }} then {{ end_column }}
            else {{ half_hour_end }}
        end as ended_at
    from (
        select
            bucketed.*,
            bucketed.first_interval_start_at as interval_start_at
        from (
            select
                *,
                {{ interval_start(start_column, 30) }} as first_interval_start_at
            from {{ rows }}
        ) as bucketed
        where {{ end_column }} <= {{ dbt.dateadd('minute', 30, 'first_interval_start_at') }}
        union all
        select
            crossing.*,
            {{ dbt.dateadd(
                'minute', '30 * (half_hour_offsets.generated_number - 1)', 'crossing.first_interval_start_at'
            ) }} as interval_start_at
        from (
            select
                *,
                {{ interval_start(start_column, 30) }} as first_interval_start_at
            from {{ rows }}
        ) as crossing
        inner join ({{ dbt.generate_series(var('max_half_hours_per_interval', 100)) }}) as half_hour_offsets
            on
                (half_hour_offsets.generated_number - 1) * 1800
                < {{ seconds_between('crossing.first_interval_start_at', 'crossing.' ~ end_column) }}
        where crossing.{{ end_column }} > {{ dbt.dateadd('minute', 30, 'crossing.first_interval_start_at') }}
    ) as split_rows
{%- endmacro %}
