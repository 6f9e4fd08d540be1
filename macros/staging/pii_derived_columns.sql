{#- The harmless columns a staging model derives from a record's contact details, under the names every model gives
    them: full_name_hash, email_hash and email_domain, phone_hash (hash_pii, email_domain). Name the columns the model
    has; a detail left out (none) gives no column. The phone is the one normalised to E.164 in the typed step
    (normalize_phone_e164); flagging a phone that did not normalise (has_invalid_phone) stays with the model. -#}
{% macro pii_derived_columns(full_name=none, email=none, phone_e164=none) -%}
    {%- set columns = [] -%}
    {%- if full_name is not none -%}
        {%- do columns.append(hash_pii(full_name) ~ ' as full_name_hash') -%}
    {%- endif -%}
    {%- if email is not none -%}
        {%- do columns.append(hash_pii(email) ~ ' as email_hash') -%}
        {%- do columns.append(email_domain(email) ~ ' as email_domain') -%}
    {%- endif -%}
    {%- if phone_e164 is not none -%}
        {%- do columns.append(hash_pii(phone_e164) ~ ' as phone_hash') -%}
    {%- endif -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}
