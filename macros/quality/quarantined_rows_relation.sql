{#- The rows the quality gates set aside (quality.quarantined_rows, which ccw.quality writes before dbt runs), as a
    relation for the quality marts. Read as a plain relation, not a source() (only staging models call source()), and
    it may not exist yet (a build without gates): then an empty relation of the same columns. Var
    read_quality_quarantine (default true) turns the reading off for unit tests. -#}
{% macro quarantined_rows_relation() -%}
    {%- set quarantine = adapter.get_relation(
        database=target.database, schema='quality', identifier='quarantined_rows')
        if execute and var('read_quality_quarantine', true) else none -%}
    {%- if quarantine is none -%}
        {%- set text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
        (
            select
                {{ text }} as raw_table,
                {{ text }} as source_file,
                {{ text }} as file_checksum,
                {{ text }} as rule,
                {{ text }} as rule_description
            where 1 = 0
        )
    {%- else -%}
        {{ quarantine }}
    {%- endif -%}
{%- endmacro %}
