{#- The queue of a contact whose source queue seeds/queues.csv does not configure: `<source_system>:<queue ref>`
    (e.g. telephony:BasicQueue), null without a queue ref. The contact models give it to such contacts and
    int_queues__unconfigured lists these queues, so one rule names them. -#}
{% macro unconfigured_queue_id(source_system, queue_ref) -%}
    case when {{ queue_ref }} is not null then {{ dbt.concat(["'" ~ source_system ~ ":'", queue_ref]) }} end
{%- endmacro %}
