{#- Arithmetic every KPI shares; the generated kpi_* macros call these. -#}

{# numerator / denominator as double precision; NULL when the denominator is 0 or NULL. #}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as double precision) / cast({{ denominator }} as double precision)
    end
{%- endmacro %}

{# The continuous median (an even count takes the mean of the middle two), as an aggregate. #}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{# Money in the reporting currency: an amount (6 decimals) x a rate (6 decimals) is exact at 12. #}
{% macro money_type() -%}
    numeric(38, 12)
{%- endmacro %}
