{#-
    The marts' contracts (YAML `data_type`) use the standard type names (`text`, `double
    precision`); dbt's contract check casts NULL to each declared type, so on Spark dbt's cast
    translates the two names Spark spells differently.
-#}
{% macro spark__cast(field, type) -%}
    {%- set spark_names = {'text': 'string', 'varchar': 'string', 'double precision': 'double'} -%}
    cast({{ field }} as {{ spark_names.get(type | trim | lower, type) }})
{%- endmacro %}
