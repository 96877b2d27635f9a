{#-
    The kpi / numerator / denominator / value columns of one fct_kpis row, from the catalog's
    generated formula macros. `inputs` maps each of the KPI's catalog inputs to a SQL expression:

        {{ kpi_columns('cpl', {'marketing_cost': 'marketing_cost', 'leads': 'leads'}) }}

    Ratio KPIs fill numerator and denominator; counts, sums, medians and derived KPIs leave them
    NULL. No model writes a KPI formula itself.
-#}
{% macro kpi_meta(kpi_name) %}
    {%- for entry in kpi_catalog() if entry.name == kpi_name -%}
        {{ return(entry) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("KPI '" ~ kpi_name ~ "' is not in catalog/kpis.yml") }}
{% endmacro %}

{% macro kpi_columns(kpi_name, inputs) -%}
    {%- set meta = kpi_meta(kpi_name) -%}
    {%- set arguments = [] -%}
    {%- for input in meta.inputs -%}
        {%- if input not in inputs -%}
            {{ exceptions.raise_compiler_error("kpi_columns('" ~ kpi_name ~ "'): input '" ~ input ~ "' is missing") }}
        {%- endif -%}
        {%- do arguments.append(inputs[input]) -%}
    {%- endfor -%}
    '{{ kpi_name }}' as kpi,
    {%- if meta.kind == 'ratio' %}
    cast({{ context['kpi_' ~ kpi_name ~ '_numerator'](*arguments) }} as {{ double_type() }}) as numerator,
    cast({{ context['kpi_' ~ kpi_name ~ '_denominator'](*arguments) }} as {{ double_type() }}) as denominator,
    {%- else %}
    cast(null as {{ double_type() }}) as numerator,
    cast(null as {{ double_type() }}) as denominator,
    {%- endif %}
    cast({{ context['kpi_' ~ kpi_name](*arguments) }} as {{ double_type() }}) as value
{%- endmacro %}

{#-
    The eight columns of the long KPI format, typed, in fct_kpis order. Family models end with
    `select {{ kpi_long_columns() }} from <their rows>`; fct_kpis stacks them.
    A family without attribution passes attribution_model='null'.
-#}
{% macro kpi_long_columns(attribution_model='attribution_model') -%}
    cast(kpi as {{ dbt.type_string() }}) as kpi,
    cast(month as date) as month,
    cast(dimension as {{ dbt.type_string() }}) as dimension,
    cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
    cast({{ attribution_model }} as {{ dbt.type_string() }}) as attribution_model,
    cast(numerator as {{ double_type() }}) as numerator,
    cast(denominator as {{ double_type() }}) as denominator,
    cast(value as {{ double_type() }}) as value
{%- endmacro %}
