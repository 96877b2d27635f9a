{#-
    Every model's session runs in UTC, whatever the server's or the profile's time zone (a
    project-wide pre-hook, dbt_project.yml): the parsers are already zone-free (parse_values.sql),
    and this keeps anything downstream that touches a zoned value (a cast to date, a truncation)
    from moving a day with the server.
-#}
{% macro pin_utc_time_zone() %}
    {#- a Python model runs no SQL of its own to pin (the one here reads transition counts) -#}
    {%- if model is defined and model.get('language') == 'python' -%}{{ return('') }}{%- endif -%}
    {{ return(adapter.dispatch('pin_utc_time_zone', 'marketing_kpis')()) }}
{% endmacro %}

{% macro default__pin_utc_time_zone() -%}
    set time zone 'UTC'
{%- endmacro %}

{% macro duckdb__pin_utc_time_zone() -%}
    set TimeZone = 'UTC'
{%- endmacro %}
