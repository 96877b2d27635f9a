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
        {{ kpi_long_columns() }}
    from unpivoted
)

select * from final
