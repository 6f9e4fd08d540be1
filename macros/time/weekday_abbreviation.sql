{#- A case expression turning an ISO weekday number (1 = Monday .. 7 = Sunday) into the given names. -#}
{% macro weekday_abbreviation(iso_weekday, names) -%}
    case {{ iso_weekday }}
        {%- for name in names %}
        when {{ loop.index }} then '{{ name }}'
        {%- endfor %}
    end
{%- endmacro %}
