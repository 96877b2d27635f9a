{#-
    The attribution KPI family in fct_kpis' long format (revenue, attributed_revenue, roas, poas,
    romi), every row from kpi_rows: formula, dimensions and grid rule from the catalog, measures
    from int_attribution_measures_by_dimension. Total rows (attribution_model NULL) use all
    revenue and gross profit; channel and campaign rows use each model's attributed amounts. Each
    KPI keeps the dimension values with activity for it (catalog rows_when): credit
    (attributed_revenue), credit or media cost lines (roas, poas), credit or marketing cost lines
    (romi). Ad spend without attributed revenue gives ROAS 0; no cost gives a NULL ratio, never a
    missing row.
-#}
with

measures as (
    select * from {{ ref('int_attribution_measures_by_dimension') }}
),

final as (
    {{ kpi_rows('attribution', 'measures', attribution_model='attribution_model') }}
)

select * from final
