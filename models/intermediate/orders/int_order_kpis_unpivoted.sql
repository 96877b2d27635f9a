{#-
    The order KPI rows of fct_kpis: aov, purchase_frequency_12m and repeat_customer_rate, one row per
    month of the data range (dimension total only). Every row from kpi_rows - formula and
    dimensions from the catalog, measures from the orders measures model int_order_months_aggregated.
-#}
with

measures as (
    select * from {{ ref('int_order_months_aggregated') }}
),

final as (
    {{ kpi_rows('orders', 'measures') }}
)

select * from final
