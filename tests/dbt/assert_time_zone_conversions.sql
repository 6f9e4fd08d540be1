-- local_to_utc / utc_to_local with literal time zones, hand-computed: London in winter (UTC+0) and summer (BST,
-- UTC+1), Shanghai (UTC+8, no DST), a date change, both London DST changes of 2026 (forward Sun 29 Mar 01:00 UTC,
-- back Sun 25 Oct 01:00 UTC) and the documented rule for local times that do not exist or occur twice.
-- Returns one row per conversion that differs from its expectation.
{% set london = "'Europe/London'" -%}
{%- set shanghai = "'Asia/Shanghai'" -%}
{#- A local time in the hour London repeats (25 Oct 01:00-02:00): DuckDB (ICU) takes the later instant (GMT),
    Spark the earlier one (BST). -#}
{%- set ambiguous_utc = '2026-10-25 01:30:00' if target.type == 'duckdb' else '2026-10-25 00:30:00' -%}
{%- set cases = [
    ('to_utc london winter', 'local_to_utc', '2026-01-15 12:00:00', london, '2026-01-15 12:00:00'),
    ('to_utc london summer', 'local_to_utc', '2026-07-01 12:00:00', london, '2026-07-01 11:00:00'),
    ('to_utc shanghai', 'local_to_utc', '2026-07-01 12:00:00', shanghai, '2026-07-01 04:00:00'),
    ('to_utc shanghai previous day', 'local_to_utc', '2026-01-01 00:30:00', shanghai, '2025-12-31 16:30:00'),
    ('to_utc london last BST minute', 'local_to_utc', '2026-10-25 00:59:59', london, '2026-10-24 23:59:59'),
    ('to_utc london after fall back', 'local_to_utc', '2026-10-25 02:00:00', london, '2026-10-25 02:00:00'),
    ('to_utc london ambiguous hour', 'local_to_utc', '2026-10-25 01:30:00', london, ambiguous_utc),
    ('to_utc london nonexistent hour', 'local_to_utc', '2026-03-29 01:30:00', london, '2026-03-29 01:30:00'),
    ('to_utc london after spring forward', 'local_to_utc', '2026-03-29 02:00:00', london, '2026-03-29 01:00:00'),
    ('to_local london winter', 'utc_to_local', '2026-01-15 12:00:00', london, '2026-01-15 12:00:00'),
    ('to_local london summer', 'utc_to_local', '2026-07-01 11:00:00', london, '2026-07-01 12:00:00'),
    ('to_local shanghai', 'utc_to_local', '2026-07-01 04:00:00', shanghai, '2026-07-01 12:00:00'),
    ('to_local shanghai next year', 'utc_to_local', '2026-12-31 20:00:00', shanghai, '2027-01-01 04:00:00'),
    ('to_local london first 01:30', 'utc_to_local', '2026-10-25 00:30:00', london, '2026-10-25 01:30:00'),
    ('to_local london second 01:30', 'utc_to_local', '2026-10-25 01:30:00', london, '2026-10-25 01:30:00'),
    ('to_local london before spring forward', 'utc_to_local', '2026-03-29 00:59:59', london, '2026-03-29 00:59:59'),
    ('to_local london spring forward', 'utc_to_local', '2026-03-29 01:00:00', london, '2026-03-29 02:00:00'),
] %}

with conversions as (

    {%- for name, macro_name, ts, tz, expected in cases %}
        {%- set ts_sql = "cast('" ~ ts ~ "' as " ~ dbt.type_timestamp() ~ ")" %}
        select
            '{{ name }}' as case_name,
            {% if macro_name == 'local_to_utc' -%}
                {{ local_to_utc(ts_sql, tz) }}
            {%- else -%}
                {{ utc_to_local(ts_sql, tz) }}
            {%- endif %} as actual_at,
            cast('{{ expected }}' as {{ dbt.type_timestamp() }}) as expected_at
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select *
    from conversions
    where actual_at is null or actual_at <> expected_at

)

select * from final
