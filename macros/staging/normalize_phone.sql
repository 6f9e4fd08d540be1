{#- Phone number text -> E.164 ("+8613812345678"), or null when it cannot be one.

    Rules, in order, applied to the digits (every other character dropped; a leading "+" kept,
    and the UK habit "+44 (0)20 ..." loses its "(0)"):
      "+<digits>"                    -> "+<digits>"            (+86 138 1234 5678, +44 7700 900123)
      "00<digits>"                   -> "+<digits>"            (008613812345678, 00447700900123)
      11 digits starting "13".."19"  -> "+86<digits>"          (13812345678, 138-1234-5678: CN mobile)
      13 digits starting "86"        -> "+<digits>"            (8613812345678)
      12 digits starting "44"        -> "+<digits>"            (447700900123)
      11 digits starting "07"        -> "+44<digits 2..>"      (07700 900123: UK mobile)
      other national "0<digits>"     -> "+<default country><digits 2..>"
                                        (var phone_default_country_code, default "86": 021 5555 1234)
    The result must have 8 to 15 digits (E.164) or the value is null; callers flag that. -#}
{% macro normalize_phone_e164(expr) -%}
    {%- set country = var('phone_default_country_code', '86') -%}
    {%- set plain = "replace(trim(" ~ expr ~ "), '(0)', '')" -%}
    {%- set has_plus = "(" ~ plain ~ " like '+%')" -%}
    {%- set digits = strip_to_digits(plain) -%}
    case
        when {{ length_between(digits, 8, 15) }} and {{ has_plus }}
            then '+' || {{ digits }}
        when {{ digits }} like '00%' and {{ length_between(digits, 10, 17) }}
            then '+' || substr({{ digits }}, 3)
        when {{ digits }} like '1%' and substr({{ digits }}, 2, 1) between '3' and '9' and length({{ digits }}) = 11
            then '+86' || {{ digits }}
        when {{ digits }} like '86%' and length({{ digits }}) = 13
            then '+' || {{ digits }}
        when {{ digits }} like '44%' and length({{ digits }}) = 12
            then '+' || {{ digits }}
        when {{ digits }} like '07%' and length({{ digits }}) = 11
            then '+44' || substr({{ digits }}, 2)
        when {{ digits }} like '0%' and {{ length_between(digits, 9, 12) }}
            then '+{{ country }}' || substr({{ digits }}, 2)
    end
{%- endmacro %}

{% macro length_between(expr, low, high) -%}
    (length({{ expr }}) between {{ low }} and {{ high }})
{%- endmacro %}


{#- Keep only the digits 0-9 of a text. -#}
{% macro strip_to_digits(expr) -%}
    {{ return(adapter.dispatch('strip_to_digits')(expr)) }}
{%- endmacro %}

{#- Portable: remove the separators phone numbers are written with (no regular expressions). -#}
{% macro default__strip_to_digits(expr) -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for ch in ['+', ' ', '-', '(', ')', '.', '/'] -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ ch ~ "', '')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{% macro duckdb__strip_to_digits(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro spark__strip_to_digits(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '')
{%- endmacro %}
