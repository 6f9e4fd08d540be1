{#- Several ISO-8601 timestamps of one record, each renamed `<column>_text` by the renamed step: the typed step's
    columns `parse_iso_timestamp('<column>_text') as <column>`, and the row's flag for them. -#}
{% macro parsed_timestamps(columns) -%}
    {%- set parsed = [] -%}
    {%- for column in columns -%}
        {%- do parsed.append(parse_iso_timestamp(column ~ '_text') ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ parsed | join(',\n        ') }}
{%- endmacro %}


{#- True when any of the columns was given (`<column>_text` not null) but did not parse (`<column>` null): the
    invalid_if_unparsed of each, or-ed. -#}
{% macro invalid_if_any_unparsed(columns) -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append(invalid_if_unparsed(column ~ '_text', column)) -%}
    {%- endfor -%}
    ({{ checks | join(' or ') }})
{%- endmacro %}
