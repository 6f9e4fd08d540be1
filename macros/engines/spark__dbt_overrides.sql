{#- Apache Spark implementations of dbt's own cross-database macros, where dbt-spark's falls short (issue 20). A
    macro of the root project named spark__<name> is found before dbt-spark's by adapter.dispatch(<name>, 'dbt'),
    so these change nothing on DuckDB (dbt-duckdb's duckdb__* or dbt's default__* still render there). -#}

{#- dbt-spark's listagg drops the order by (collect_list has no order) and warns; Spark 4 has listagg ... within
    group (order by ...), the order the models ask for. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num is not implemented for Spark in this project") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#- 1..upper_bound as generated_number. dbt's default cross-joins log2(n) two-row tables (18 for the calendar's
    146,400 days); Spark's range() generates them directly. -#}
{% macro spark__generate_series(upper_bound) -%}
    select id as generated_number from range(1, {{ upper_bound }} + 1)
{%- endmacro %}

{#- dbt-spark's split_part needs a literal part number (int_analysis__feedback_terms passes a column) and splits on
    a regular expression; Spark 3.3+ has split_part itself: a literal delimiter, the part number any expression,
    '' past the last part (as DuckDB and Postgres). -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- Seeds: dbt-spark's seed macros, with each column type of a seed's column_types passed through spark_type().
    The seeds pin their text columns as varchar (seeds/*.yml), which Spark 4 refuses without a length
    (DATATYPE_MISSING_SIZE); Spark's text type is string. Otherwise as dbt-spark 1.11's create_csv_table and
    load_csv_rows, except for the rows' literals (below). -#}
{% macro spark_type(data_type) -%}
    {{ return('string' if (data_type | lower | trim) in ('varchar', 'text') else data_type) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

    {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }}
            {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
    {% endset %}

    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}

    {{ return(sql) }}
{% endmacro %}

{#- The rows are written as literals, not bindings: dbt-spark 1.11's session connection puts each binding into the
    SQL as '<value>' without escaping (a seed value with an apostrophe, "New Year's Day", broke the statement) and
    turns an empty cell into the text 'None'. Here an apostrophe or backslash is escaped and an empty cell is null. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}

    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %},{%- endif %}
                {%- endfor -%})
                {%- if not loop.last %},{%- endif %}
            {%- endfor %}
        {% endset %}

        {% do adapter.add_query(sql, abridge_sql_log=True) %}

        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}

    {{ return(statements[0]) }}
{% endmacro %}


{#- Whether the spark target's tables (var spark_file_format, dbt_project.yml's +file_format) allow merge and
    delete: Delta, Iceberg and Hudi do, plain Parquet does not. -#}
{% macro spark_supports_row_level_writes() -%}
    {{ return(var('spark_file_format', 'parquet') in ('delta', 'iceberg', 'hudi')) }}
{%- endmacro %}

{#- Stops an incremental run of a model that needs row-level writes on a table format without them. A first build
    and `dbt build --full-refresh` rebuild the table whole, which any format can. -#}
{% macro spark_require_full_refresh() -%}
    {%- if execute and this is not none and is_incremental() -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": an incremental run on Spark needs a table format with merge and delete (var "
            ~ "spark_file_format: delta or iceberg; it is " ~ var('spark_file_format', 'parquet')
            ~ "). Build with --full-refresh.") }}
    {%- endif -%}
{%- endmacro %}

{#- Model contracts: the marts' YAML names text columns varchar (DuckDB's name), which Spark 4 refuses without a
    length; the contract's empty schema casts each column to spark_type() of it instead. Otherwise as dbt's default. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
        {%- set col = columns[i] -%}
        {%- if col['data_type'] is not defined -%}
            {%- do col_err.append(col['name']) -%}
        {%- endif -%}
        {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
        {{ cast('null', spark_type(col['data_type'])) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
        {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}

{#- Date arithmetic with Spark's own timestampadd. dbt-spark's dateadd multiplies the interval without parentheses
    (dateadd('minute', 'a * 437 + b', ts) added a * 437 + b * 60 seconds) and drops fractions of seconds. The result
    is a timestamp, as DuckDB's date + interval. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart | upper }}, cast(({{ interval }}) as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}

{#- The number of datepart boundaries crossed from first_date to second_date, as DuckDB's date_diff counts them (dbt-
    spark rounds the elapsed time up instead: 10:00:10 to 10:00:50 was one minute). The parts this project uses. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set units = {'second': 1, 'minute': 60, 'hour': 3600} -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart in units -%}
        {%- set divisor = units[datepart] -%}
        {%- if divisor == 1 -%}
            (unix_seconds(cast({{ second_date }} as timestamp)) - unix_seconds(cast({{ first_date }} as timestamp)))
        {%- else -%}
            (floor(unix_seconds(cast({{ second_date }} as timestamp)) / {{ divisor }})
                - floor(unix_seconds(cast({{ first_date }} as timestamp)) / {{ divisor }}))
        {%- endif -%}
    {%- elif datepart == 'millisecond' -%}
        (unix_millis(cast({{ second_date }} as timestamp)) - unix_millis(cast({{ first_date }} as timestamp)))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) * 12 + month({{ second_date }})) - (year({{ first_date }}) * 12 + month({{ first_date }})))
    {%- elif datepart == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "datediff by " ~ datepart ~ " is not implemented for Spark in this project") }}
    {%- endif -%}
{%- endmacro %}
