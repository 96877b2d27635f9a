{#- dbt's own cross-database macros where dbt-spark's version does not do what the project needs. -#}

{#-
    cast: the marts' contracts (YAML `data_type`) use the standard type names (`text`, `double
    precision`); dbt's contract check casts NULL to each declared type, so on Spark the two names
    Spark spells differently are translated.
-#}
{% macro spark__cast(field, type) -%}
    {%- set spark_names = {'text': 'string', 'varchar': 'string', 'double precision': 'double'} -%}
    cast({{ field }} as {{ spark_names.get(type | trim | lower, type) }})
{%- endmacro %}

{#- listagg: dbt-spark's ignores `order by`; Spark 4's own listagg keeps it. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num is not supported on Spark here") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
