{#-
    business_seconds(intervals, key_column, queue_column, start_column, end_column)

    Returns a select of (<key_column>, business_seconds): for every row of `intervals` (a relation or the
    name of a CTE defined before the call) the number of seconds of [start, end) that fall inside the
    business hours of the row's queue (seeds/business_hours.csv in the queue's time zone, minus the
    holidays of the queue's site). Start and end are UTC timestamps without time zone.

        business_first_response as (
            {{ business_seconds('first_response_intervals', 'contact_id', 'queue_id',
                                'arrived_at', 'first_response_at') }}
        ),

    Method: int_business_hours__queue_days holds, per queue and local date, the business seconds elapsed
    before that day and that day's window. The business "position" of an instant is the seconds before
    its local day plus the part of the day's window already gone by; business_seconds = position(end) -
    position(start). Two equality joins (queue, local date) instead of an interval-overlap join, so the cost
    is linear in the number of rows whatever the intervals' length.

    One output row per input row. business_seconds is null when start or end is null, when end < start
    (clock skew: the calendar duration is negative, no business duration is defined), when the queue is
    unknown (null or not in seeds/queues.csv), or when a timestamp's local date lies outside the calendar
    (int_calendar__bounds: whole years around the data): never a silent 0.
-#}
{% macro business_seconds(intervals, key_column='key', queue_column='queue_id', start_column='start_at',
                          end_column='end_at') -%}
    {{ return(adapter.dispatch('business_seconds', 'contact_center')(
        intervals, key_column, queue_column, start_column, end_column)) }}
{%- endmacro %}

{#- Business seconds already gone by at `ts` on the queue day `day` (0 on a closed day, the whole window after
    closing time). -#}
{% macro _business_position(day, ts) -%}
    ({{ day }}.business_seconds_before_day + case
        when {{ day }}.open_seconds = 0 then 0
        else least(greatest({{ dbt.datediff(day ~ '.opens_at', ts, 'second') }}, 0), {{ day }}.open_seconds)
    end)
{%- endmacro %}

{% macro default__business_seconds(intervals, key_column, queue_column, start_column, end_column) -%}
    select
        bs_intervals.{{ key_column }} as {{ key_column }},
        cast(case
            when bs_intervals.{{ start_column }} is null or bs_intervals.{{ end_column }} is null then null
            when bs_intervals.{{ end_column }} < bs_intervals.{{ start_column }} then null
            when bs_start_day.queue_id is null or bs_end_day.queue_id is null then null
            else {{ _business_position('bs_end_day', 'bs_intervals.' ~ end_column) }}
                - {{ _business_position('bs_start_day', 'bs_intervals.' ~ start_column) }}
        end as {{ dbt.type_bigint() }}) as business_seconds
    from {{ intervals }} as bs_intervals
    left join {{ ref('queues') }} as bs_queues
        on bs_intervals.{{ queue_column }} = bs_queues.queue_id
    left join {{ ref('int_business_hours__queue_days') }} as bs_start_day
        on
            bs_queues.queue_id = bs_start_day.queue_id
            and cast({{ utc_to_local('bs_intervals.' ~ start_column, 'bs_queues.time_zone') }} as date)
            = bs_start_day.date_day
    left join {{ ref('int_business_hours__queue_days') }} as bs_end_day
        on
            bs_queues.queue_id = bs_end_day.queue_id
            and cast({{ utc_to_local('bs_intervals.' ~ end_column, 'bs_queues.time_zone') }} as date)
            = bs_end_day.date_day
{%- endmacro %}
