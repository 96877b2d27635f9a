{#- Layer folders set +schema (staging, intermediate, marts, seeds); use that name as is, so BI
    tools find `marts.fct_kpis` on every target instead of `<target schema>_marts.fct_kpis`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
