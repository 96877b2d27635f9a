{#-
    The long KPI table: one row per KPI x month x dimension value (x attribution model where one
    applies), for every KPI of the catalog. Each KPI family builds its rows in an intermediate
    model of exactly these columns; this mart only stacks them.
-#}
with

{% set families = ['acquisition', 'attribution', 'retention', 'order', 'traffic'] %}
{% for family in families %}
    {{ family }}_kpis as (
        select * from {{ ref('int_' ~ family ~ '_kpis_unpivoted') }}
    ),

{% endfor %}
stacked as (
    {% for family in families %}
        select
            kpi,
            month,
            dimension,
            dimension_value,
            attribution_model,
            numerator,
            denominator,
            value
        from {{ family }}_kpis
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        cast(kpi as {{ dbt.type_string() }}) as kpi,
        cast(month as date) as month,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator,
        cast(value as double precision) as value
    from stacked
)

select * from final
