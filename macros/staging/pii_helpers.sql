{#- Harmless fields derived from PII, and the test-account rule. -#}

{#- The part after the last "@", lower-cased; null when the value has no "@". -#}
{% macro email_domain(expr) -%}
    case
        when trim({{ expr }}) like '%_@_%'
            then lower({{ dbt.split_part('trim(' ~ expr ~ ')', "'@'", 2) }})
    end
{%- endmacro %}


{#- Internal test accounts are FLAGGED in staging, never filtered there: the intermediate layer
    excludes them and the data-quality mart counts them. A test account is a customer id starting
    with var('test_account_prefix') ("TEST", case-insensitive) or an email in the domain
    var('test_account_email_domain') ("example.test"). -#}
{% macro is_test_account(customer_id_expr=none, email_expr=none) -%}
    {%- set prefix = var('test_account_prefix', 'TEST') | upper -%}
    {%- set domain = var('test_account_email_domain', 'example.test') | lower -%}
    {%- set checks = [] -%}
    {%- if customer_id_expr is not none -%}
        {%- do checks.append("coalesce(upper(trim(" ~ customer_id_expr ~ ")) like '" ~ prefix ~ "%', false)") -%}
    {%- endif -%}
    {%- if email_expr is not none -%}
        {%- do checks.append("coalesce(lower(trim(" ~ email_expr ~ ")) like '%@" ~ domain ~ "', false)") -%}
    {%- endif -%}
    ({{ checks | join(' or ') if checks else 'false' }})
{%- endmacro %}


{#- Free text typed by customers or agents (ticket subjects and comments, survey comments) and text that a
    browser or a campaign tool fills in (URLs, referrers, utm fields, device strings) can carry e-mail addresses
    and phone numbers: they are masked as "[email]" and "[phone]". An e-mail is local@domain.tld, also with the
    "@" percent-encoded as in a URL ("%40"); a phone is a run of 9 or more digits, optionally with a leading "+"
    (or its URL encoding "%2B") and single separators between them: space, dash, dot, or a URL-encoded space
    ("%20", "+"); 9 so that dates such as 2025-10-01 stay readable. -#}
{% macro redact_free_text(expr) -%}
    {{ return(adapter.dispatch('redact_free_text')(expr)) }}
{%- endmacro %}

{#- Postgres-style regexp_replace with the "g" flag (Postgres, Redshift, DuckDB). -#}
{% macro default__redact_free_text(expr) -%}
    regexp_replace(
        regexp_replace(
            {{ expr }}, '[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+[.][A-Za-z]{2,}', '[email]', 'g'
        ),
        '(\+|%2[Bb])?[0-9](([ .+-]|%20)?[0-9]){8,}', '[phone]', 'g'
    )
{%- endmacro %}

{% macro duckdb__redact_free_text(expr) -%}
    regexp_replace(
        regexp_replace(
            {{ expr }}, '[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'
        ),
        '(?:\+|%2[Bb])?\d(?:(?:[ .+-]|%20)?\d){8,}', '[phone]', 'g'
    )
{%- endmacro %}

{#- Spark (Java regular expressions): regexp_replace replaces every match and takes no flags (the default's 'g' would
    be read as a position: null); "+" as a class, as a backslash in a Spark string literal needs doubling. -#}
{% macro spark__redact_free_text(expr) -%}
    regexp_replace(
        regexp_replace(
            {{ expr }}, '[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+[.][A-Za-z]{2,}', '[email]'
        ),
        '(?:[+]|%2[Bb])?[0-9](?:(?:[ .+-]|%20)?[0-9]){8,}', '[phone]'
    )
{%- endmacro %}


{#- An identifier that is not a key of the warehouse (a chat tool's visitor id) but may be built from an e-mail or
    a phone number ("v_li.wei@example.com", a caller's number): when it carries one (redact_free_text would change
    it), it is replaced by its salted hash (hash_pii: it still identifies, the same value hashes equal), otherwise
    it stays as exported. -#}
{% macro pseudonymise_identifier(expr) -%}
    case
        when {{ redact_free_text(expr) }} <> {{ expr }} then {{ hash_pii(expr) }}
        else {{ expr }}
    end
{%- endmacro %}


{#- A URL as a dimension: scheme, host and path, without the query string and the fragment (where forms and
    links put names, e-mails, phones and tokens), and with any e-mail or phone left in the path masked. -#}
{% macro redact_url(expr) -%}
    {{ redact_free_text(dbt.split_part(dbt.split_part(expr, "'?'", 1), "'#'", 1)) }}
{%- endmacro %}
