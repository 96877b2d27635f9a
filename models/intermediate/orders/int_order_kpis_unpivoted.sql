{#-
    The order KPI rows of fct_kpis: aov, purchase_frequency_12m and repeat_customer_rate, one row per
    month of the data range (dimension total only), from the catalog's formulas via kpi_columns().
-#}
{%- set kpis = [
    ('aov', {'order_revenue': 'order_revenue', 'orders': 'orders'}),
    ('purchase_frequency_12m', {'orders_12m': 'orders_12m', 'ordering_customers_12m': 'ordering_customers_12m'}),
    ('repeat_customer_rate', {
        'repeat_customers_to_date': 'repeat_customers_to_date',
        'ordering_customers_to_date': 'ordering_customers_to_date'}),
] -%}

with

monthly as (
    select * from {{ ref('int_order_months_aggregated') }}
),

unpivoted as (
    {% for kpi, inputs in kpis %}
        select
            month,
            'total' as dimension,
            'all' as dimension_value,
            cast(null as {{ dbt.type_string() }}) as attribution_model,
            {{ kpi_columns(kpi, inputs) }}
        from monthly
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
    from unpivoted
)

select * from final
