{#-
    Type names that differ between adapters. Models spell a 64-bit float double_type(); the
    contracts of the marts (YAML `data_type`) use the standard names, which Spark reads through
    spark__cast (dbt's cast, which the contract check calls with each declared type).
-#}

{#- The 64-bit float type: `double precision` in standard SQL, `double` on Spark. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'marketing_kpis')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__double_type() -%}
    double
{%- endmacro %}

{#- dbt's cast on Spark, with the standard type names the YAML contracts declare translated. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_names = {'text': 'string', 'varchar': 'string', 'double precision': 'double'} -%}
    cast({{ field }} as {{ spark_names.get(type | trim | lower, type) }})
{%- endmacro %}
