{#- Data quality per export day x raw table x check: what landed, what was refused or set aside and why, what
    staging merged or flagged, which files came late or never came. Rules in _quality__models.yml.

    The rows the quality gates set aside live in quality.quarantined_rows (quarantined_rows_relation(): none
    when it does not exist yet). -#}
{%- set staging_models = [
    ('stg_telephony__contact_records', 'telephony', 'contact_records',
        ['has_invalid_timestamp', 'has_invalid_duration', 'has_invalid_phone', 'is_test_account']),
    ('stg_telephony__agent_events', 'telephony', 'agent_events', ['has_invalid_timestamp']),
    ('stg_helpdesk__tickets', 'helpdesk', 'ticket', ['has_invalid_timestamp']),
    ('stg_helpdesk__ticket_comments', 'helpdesk', 'ticket_comment', ['has_invalid_timestamp', 'has_invalid_value']),
    ('stg_helpdesk__ticket_field_history', 'helpdesk', 'ticket_field_history', ['has_invalid_timestamp']),
    ('stg_helpdesk__users', 'helpdesk', 'user', ['has_invalid_timestamp', 'has_invalid_phone', 'is_test_account']),
    ('stg_helpdesk__groups', 'helpdesk', 'group', []),
    ('stg_chat__sessions', 'chat', 'sessions', ['has_invalid_timestamp', 'has_invalid_value', 'is_test_account']),
    ('stg_survey__responses', 'survey', 'responses', ['has_invalid_timestamp', 'has_invalid_score', 'is_test_account']),
    ('stg_workforce__agents', 'workforce', 'agents', ['has_invalid_timestamp']),
    ('stg_workforce__schedules', 'workforce', 'schedules', ['has_invalid_timestamp', 'has_invalid_duration']),
    ('stg_crm__customers', 'crm', 'customers', ['has_invalid_timestamp', 'has_invalid_phone', 'is_test_account']),
    ('stg_crm__orders', 'crm', 'orders', ['has_invalid_amount', 'is_test_account']),
] -%}
{#- Staging models whose issue type must be a key of seeds/issue_types.csv (others map to 'unknown' in
    int_contacts: counted here, never a stopped build). -#}
{%- set issue_type_models = [
    ('stg_telephony__contact_records', 'telephony', 'contact_records'),
    ('stg_chat__sessions', 'chat', 'sessions'),
    ('stg_helpdesk__tickets', 'helpdesk', 'ticket'),
] -%}
{%- set flag_reasons = {
    'is_test_account': 'internal test accounts, kept and flagged (excluded from KPIs) by ',
    'has_invalid_timestamp': 'timestamps present but unparseable, nulled and flagged by ',
    'has_invalid_duration': 'durations negative, above the ceiling or not numbers, nulled and flagged by ',
    'has_invalid_phone': 'phone numbers that cannot be normalised, flagged by ',
    'has_invalid_value': 'values out of their domain, nulled and flagged by ',
    'has_invalid_score': 'survey scores out of range, nulled and flagged by ',
    'has_invalid_amount': 'order amounts that are not numbers, nulled and flagged by ',
} -%}

with current_files as (

    select * from {{ ref('int_landing__current_files') }}

),

{# every expected source x export day with its file status (data_completeness_daily: the one place that says which
    files a day should have and which of them never came) #}
source_days as (

    select * from {{ ref('data_completeness_daily') }}

),

completeness as (

    select distinct
        date_day,
        is_complete_day
    from source_days

),

issue_types as (

    select * from {{ ref('issue_types') }}

),

{% for model, system, entity, flags in staging_models %}
    {{ model }} as (

        select * from {{ ref(model) }}

    ),
{% endfor %}

quarantined_rows as (

    select
        raw_table,
        source_file,
        file_checksum,
        rule as gate_rule
    from {{ quarantined_rows_relation() }}

),

landed as (

    select
        export_date as date_day,
        raw_table,
        sum(row_count) as rows_landed,
        count(*) as files
    from current_files
    where outcome in ('landed', 'replaced', 'unchanged')
    group by
        export_date,
        raw_table

),

sources as (

    select distinct
        raw_table,
        source_system,
        source_entity
    from source_days

),

check_landed as (

    select
        date_day,
        raw_table,
        'rows_landed' as check_name,
        'rows of the current version of the day''s file' as reason,
        'info' as severity,
        rows_landed as rows_affected,
        files as files_affected
    from landed

),

check_refused as (

    select
        export_date as date_day,
        raw_table,
        'file_refused' as check_name,
        coalesce(reason, 'refused by landing') as reason,
        'critical' as severity,
        cast(null as {{ dbt.type_bigint() }}) as rows_affected,
        count(*) as files_affected
    from current_files
    where outcome = 'quarantined'
    group by
        export_date,
        raw_table,
        reason

),

quarantined_current as (

    select
        current_files.export_date,
        quarantined_rows.raw_table,
        quarantined_rows.source_file,
        quarantined_rows.gate_rule
    from quarantined_rows
    inner join current_files
        on
            quarantined_rows.source_file = current_files.file_path
            and quarantined_rows.file_checksum = current_files.file_checksum

),

check_quarantined as (

    select
        export_date as date_day,
        raw_table,
        'rows_quarantined' as check_name,
        gate_rule as reason,
        'warning' as severity,
        count(*) as rows_affected,
        count(distinct source_file) as files_affected
    from quarantined_current
    group by
        export_date,
        raw_table,
        gate_rule

),

check_late as (

    select
        export_date as date_day,
        raw_table,
        'late_file' as check_name,
        {{ dbt.concat([
            "'arrived '",
            dbt.safe_cast('arrival_lag_days', dbt.type_string()),
            "' day(s) after its export day'",
        ]) }} as reason,
        'warning' as severity,
        cast(null as {{ dbt.type_bigint() }}) as rows_affected,
        count(*) as files_affected
    from current_files
    where is_late_file
    group by
        export_date,
        raw_table,
        arrival_lag_days

),

check_missing as (

    select
        date_day,
        raw_table,
        'missing_file' as check_name,
        'no file for this export day' as reason,
        'warning' as severity,
        cast(null as {{ dbt.type_bigint() }}) as rows_affected,
        0 as files_affected
    from source_days
    where file_status = 'missing'

),

check_staging as (
{% for model, system, entity, flags in staging_models %}
        {%- if not loop.first %}

            union all
        {% endif %}

        select
            _export_date as date_day,
            '{{ system }}__{{ entity }}' as raw_table,
            'duplicates_merged' as check_name,
            'older versions and re-exports collapsed into the newest (versions_merged - 1)' as reason,
            'info' as severity,
            sum(versions_merged - 1) as rows_affected,
            count(distinct _source_file) as files_affected
        from {{ model }}
        where versions_merged > 1
        group by _export_date
        {%- for flag in flags %}

            union all

            select
                _export_date as date_day,
                '{{ system }}__{{ entity }}' as raw_table,
                '{{ flag }}' as check_name,
                '{{ flag_reasons[flag] ~ model }}' as reason,
                '{{ "info" if flag == "is_test_account" else "warning" }}' as severity,
                count(*) as rows_affected,
                count(distinct _source_file) as files_affected
            from {{ model }}
            where {{ flag }}
            group by _export_date
        {%- endfor %}
    {% endfor %}

),

check_unknown_issue_types as (
{% for model, system, entity in issue_type_models %}
        {%- if not loop.first %}

            union all
        {% endif %}

        select
            {{ model }}._export_date as date_day,
            '{{ system }}__{{ entity }}' as raw_table,
            'unknown_issue_type' as check_name,
            'issue types not in seeds/issue_types.csv, mapped to unknown by int_contacts' as reason,
            'warning' as severity,
            count(*) as rows_affected,
            count(distinct {{ model }}._source_file) as files_affected
        from {{ model }}
        left join issue_types
            on {{ model }}.issue_type = issue_types.issue_type
        where {{ model }}.issue_type is not null and issue_types.issue_type is null
        group by {{ model }}._export_date
    {% endfor %}

),

{# Ticket statuses outside the mapping (macro canonical_ticket_status: other in int_tickets__tickets and the status
    timeline; the value is listed in the reason) and deleted tickets (kept out of the KPIs), per export day of the
    ticket's current version / of the status change. #}
ticket_statuses as (

    select
        _export_date as date_day,
        'helpdesk__ticket' as raw_table,
        _source_file,
        {# a ticket the source deleted (Fivetran's _fivetran_deleted) counts as deleted whatever its last status #}
        case when coalesce(is_deleted, false) then 'deleted' else status end as source_status,
        case
            when coalesce(is_deleted, false) then 'deleted'
            else {{ canonical_ticket_status('status') }}
        end as canonical_status
    from stg_helpdesk__tickets

    union all

    select
        _export_date as date_day,
        'helpdesk__ticket_field_history' as raw_table,
        _source_file,
        lower(trim(new_value)) as source_status,
        {{ canonical_ticket_status('new_value') }} as canonical_status
    from stg_helpdesk__ticket_field_history
    where field_name = 'status' and new_value is not null

),

check_ticket_statuses as (

    select
        date_day,
        raw_table,
        case
            when canonical_status = 'deleted' then 'deleted_tickets'
            else 'unknown_ticket_status'
        end as check_name,
        case
            when canonical_status = 'deleted' and raw_table = 'helpdesk__ticket'
                then 'deleted tickets, kept out of the KPIs (fct_contacts, fct_tickets)'
            when canonical_status = 'deleted' then 'status changes to deleted'
            else {{ dbt.concat([
                "'ticket status not in the mapping, counted as other: '", 'source_status'
            ]) }}
        end as reason,
        case when canonical_status = 'deleted' then 'info' else 'warning' end as severity,
        count(*) as rows_affected,
        count(distinct _source_file) as files_affected
    from ticket_statuses
    where canonical_status in ('deleted', 'other')
    group by
        date_day,
        raw_table,
        canonical_status,
        source_status

),

{# Agent events whose state is outside the canonical list (OTHER in int_agents__state_intervals) and tickets whose
    channel the help desk names in a way the mapping does not know (int_tickets__tickets then takes the group's
    queue channel, else email), each value listed in the reason. #}
check_unknown_values as (

    select
        _export_date as date_day,
        'telephony__agent_events' as raw_table,
        'unknown_agent_state' as check_name,
        {{ dbt.concat(["'agent state not in the mapping, counted as OTHER: '", 'state']) }} as reason,
        'warning' as severity,
        count(*) as rows_affected,
        count(distinct _source_file) as files_affected
    from stg_telephony__agent_events
    where
        state not in (
            'LOGIN', 'AVAILABLE', 'ON_CONTACT', 'AFTER_CONTACT_WORK', 'BREAK', 'LUNCH', 'TRAINING', 'MEETING',
            'NOT_READY', 'LOGOUT'
        )
    group by
        _export_date,
        state

    union all

    select
        _export_date as date_day,
        'helpdesk__ticket' as raw_table,
        'unknown_ticket_channel' as check_name,
        {{ dbt.concat([
            "'ticket channel not in the mapping, the group''s queue channel or email: '", 'via_channel'
        ]) }} as reason,
        'warning' as severity,
        count(*) as rows_affected,
        count(distinct _source_file) as files_affected
    from stg_helpdesk__tickets
    where via_channel not in ('email', 'web', 'web_form')
    group by
        _export_date,
        via_channel

    union all

    select
        _export_date as date_day,
        'telephony__contact_records' as raw_table,
        'non_voice_contact_record' as check_name,
        {{ dbt.concat(["'contact records of a channel other than VOICE, left out of the calls: '", 'channel']) }}
            as reason,
        'warning' as severity,
        count(*) as rows_affected,
        count(distinct _source_file) as files_affected
    from stg_telephony__contact_records
    where channel <> 'VOICE'
    group by
        _export_date,
        channel

),

checks as (

    select * from check_landed
    union all
    select * from check_refused
    union all
    select * from check_quarantined
    union all
    select * from check_late
    union all
    select * from check_missing
    union all
    select * from check_staging
    union all
    select * from check_unknown_issue_types
    union all
    select * from check_ticket_statuses
    union all
    select * from check_unknown_values

),

final as (

    select
        checks.date_day,
        sources.source_system,
        sources.source_entity,
        checks.raw_table,
        checks.check_name,
        checks.reason,
        checks.severity,
        cast(coalesce(landed.rows_landed, 0) as {{ dbt.type_bigint() }}) as rows_landed,
        cast(checks.rows_affected as {{ dbt.type_bigint() }}) as rows_affected,
        cast(checks.files_affected as {{ dbt.type_bigint() }}) as files_affected,
        {{ ratio('checks.rows_affected', 'landed.rows_landed') }} as affected_share,
        coalesce(completeness.is_complete_day, false) as is_complete_day
    from checks
    inner join sources
        on checks.raw_table = sources.raw_table
    left join landed
        on
            checks.raw_table = landed.raw_table
            and checks.date_day = landed.date_day
    left join completeness
        on checks.date_day = completeness.date_day

)

select * from final
