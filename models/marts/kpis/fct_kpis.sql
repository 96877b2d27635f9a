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
        {{ kpi_long_columns() }}
    from stacked
)

select * from final
