{#- Not named drop_relation_if_exists: that would override the dbt built-in every materialization calls. -#}
{#- run-operation: drop a table or view of the target database if it exists (the roster snapshot replay uses it to
    rebuild snp_workforce__agents from scratch). Adapter API only, so it works on any engine.
    dbt run-operation drop_named_relation --args '{schema: snapshots, identifier: snp_workforce__agents}' -#}
{% macro drop_named_relation(schema, identifier) -%}
    {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier=identifier) -%}
    {%- if relation is not none -%}
        {%- do adapter.drop_relation(relation) -%}
        {%- do log('dropped ' ~ relation, info=true) -%}
    {%- endif -%}
{%- endmacro %}
