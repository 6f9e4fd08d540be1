{#- Several accounts of one system (two Zendesk accounts, two Amazon Connect instances): the files of a second account
    land from a `<system>@<account>/` folder (README "Several accounts of one system") into the same raw tables. -#}

{#- The account of a raw row: `<account>` of the `<system>@<account>` folder its file came from, null for a file of
    the system's own folder. -#}
{% macro source_account(source_file='_source_file') -%}
    nullif({{ dbt.split_part(dbt.split_part(source_file, "'/'", 1), "'@'", 2) }}, '')
{%- endmacro %}

{#- A source id made unique across accounts: `<account>:<id>` for a row of an account folder, the id itself for the
    system's own folder (a centre with one account keeps its ids). Null stays null. -#}
{% macro account_scoped(id_expr, source_file='_source_file') -%}
    case
        when {{ source_account(source_file) }} is null or ({{ id_expr }}) is null then {{ id_expr }}
        else {{ dbt.concat([source_account(source_file), "':'", id_expr]) }}
    end
{%- endmacro %}
