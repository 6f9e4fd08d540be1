{#- Worked examples of business time on the real reference data, with the answer computed by hand (see each
    description). int_business_hours__example_results runs the business_seconds macro on them and a data test
    checks every answer, so a change to the seeds, the calendar or the macro that breaks one shows up in
    `dbt build`. Timestamps are UTC; the descriptions give the local times. expected null = no business
    duration defined. -#}
{%- set examples = [
    ('uk_weekend', 'phone_intl', '2026-01-09 19:00:00', '2026-01-12 09:00:00', 36000,
        'London (GMT) Fri 19:00 -> Mon 09:00: Fri 19-20 1 h + Sat 09-17 8 h + Sun closed + Mon 08-09 1 h'),
    ('uk_easter_holidays', 'phone_intl', '2026-04-02 11:00:00', '2026-04-07 11:00:00', 72000,
        'London (BST) Thu 12:00 -> Tue 12:00: Thu 8 h + Good Friday + Sat 8 h + Sun closed + Easter Monday + Tue 4 h'),
    ('cn_national_day', 'phone_cn_general', '2026-09-30 11:00:00', '2026-10-08 02:00:00', 75600,
        'Shanghai Wed 19:00 -> Thu 10:00 a week later: Wed 1 h + Oct 1-2 holiday + Sat 9 h + Sun 9 h'
        ~ ' + Oct 5-7 holiday + Thu 08-10 2 h'),
    ('uk_dst_autumn', 'phone_intl', '2026-10-24 17:00:00', '2026-10-26 09:00:00', 3600,
        'London Sat 18:00 BST -> Mon 09:00 GMT (clocks back Sun 25 Oct): Sat closed at 17:00 + Sun closed'
        ~ ' + Mon 08:00 GMT = 08:00 UTC -> 09:00 1 h'),
    ('uk_dst_spring', 'phone_intl', '2026-03-28 16:00:00', '2026-03-30 07:30:00', 5400,
        'London Sat 16:00 GMT -> Mon 08:30 BST (clocks forward Sun 29 Mar): Sat 16-17 1 h + Mon 08:00-08:30 0.5 h'),
    ('cn_chat_overnight', 'chat_cn', '2026-03-10 13:00:00', '2026-03-11 01:30:00', 9000,
        'Shanghai cn_extended Tue 21:00 -> Wed 09:30: Tue 21-22 1 h + night closed + Wed 08:00-09:30 1.5 h'),
    ('uk_closed_night', 'phone_intl', '2026-03-10 21:00:00', '2026-03-11 07:00:00', 0,
        'London Tue 21:00 -> Wed 07:00: closed all night'),
    ('uk_sunday_closed', 'phone_intl', '2026-03-08 10:00:00', '2026-03-08 15:00:00', 0,
        'London Sun 10:00 -> 15:00: uk_standard has no Sunday hours'),
    ('uk_zero_length', 'phone_intl', '2026-03-09 10:00:00', '2026-03-09 10:00:00', 0,
        'London Mon 10:00 -> 10:00: zero length inside a window'),
    ('cn_inside_window', 'phone_cn_general', '2026-03-09 02:00:00', '2026-03-09 02:30:00', 1800,
        'Shanghai Mon 10:00 -> 10:30: half an hour inside the window'),
    ('uk_full_week', 'phone_intl', '2026-06-01 07:00:00', '2026-06-08 07:00:00', 244800,
        'London (BST) Mon 08:00 -> next Mon 08:00: Mon-Fri 5 x 12 h + Sat 8 h'),
    ('end_before_start', 'phone_intl', '2026-03-09 11:00:00', '2026-03-09 10:00:00', none,
        'end before start (clock skew): no business duration'),
    ('open_interval', 'phone_intl', '2026-03-09 10:00:00', none, none,
        'no end yet (unresolved): no business duration'),
    ('unknown_queue', 'no_such_queue', '2026-03-09 10:00:00', '2026-03-09 11:00:00', none,
        'a queue that is not in seeds/queues.csv: no business hours known'),
] -%}

with examples as (

    {%- for example_id, queue_id, start_at, end_at, expected, description in examples %}
        select
            '{{ example_id }}' as example_id,
            '{{ queue_id }}' as queue_id,
            cast({{ "'" ~ start_at ~ "'" if start_at else 'null' }} as {{ dbt.type_timestamp() }}) as start_at,
            cast({{ "'" ~ end_at ~ "'" if end_at else 'null' }} as {{ dbt.type_timestamp() }}) as end_at,
            cast({{ expected if expected is not none else 'null' }} as {{ dbt.type_bigint() }})
                as expected_business_seconds,
            '{{ description }}' as description
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select * from examples

)

select * from final
