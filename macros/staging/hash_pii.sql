{#- PII hashing: lower-case hex sha256 of "<salt>|<value>", where value is trimmed and lower-cased
    (so " Li.Wei@Example.com" and "li.wei@example.com" hash equal; phones must be passed already
    normalised to E.164). Null and empty stay null.

    The salt comes from the environment variable CCW_PII_SALT. Without it the documented development
    salt "ccw-dev-salt" is used: fine for the sample, NOT for real data (set CCW_PII_SALT, keep it out
    of git). The compiled SQL dbt writes (target/compiled, target/run, the logs) carries the salt in its text:
    keep those out of git and of published artifacts too. -#}
{% macro hash_pii(expr) -%}
    {%- set value = "nullif(lower(trim(" ~ expr ~ ")), '')" -%}
    case
        when {{ value }} is not null
            then {{ sha256_hex(dbt.concat(["'" ~ pii_salt() ~ "|'", value])) }}
    end
{%- endmacro %}

{% macro pii_salt() -%}
    {%- set salt = env_var('CCW_PII_SALT', 'ccw-dev-salt') -%}
    {{ return(salt | replace("'", "''")) }}
{%- endmacro %}


{#- sha256 of a text as 64 lower-case hex characters. -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex')(expr)) }}
{%- endmacro %}

{#- sha2(x, 256): Snowflake, Databricks/Spark, Redshift, MySQL. -#}
{% macro default__sha256_hex(expr) -%}
    lower(sha2({{ expr }}, 256))
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
