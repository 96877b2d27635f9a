{#-
    The retention KPI rows of fct_kpis: MRR, the MRR movements, churn, NRR, ARPA, LTV, LTV/CAC and
    CAC payback, one row per month of the data range (dimension total only). Every row from
    kpi_rows - formula and dimensions from the catalog, measures from the retention measures model
    int_mrr_months_aggregated (its CAC from the acquisition measures).
-#}
with

measures as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

final as (
    {{ kpi_rows('retention', 'measures') }}
)

select * from final
