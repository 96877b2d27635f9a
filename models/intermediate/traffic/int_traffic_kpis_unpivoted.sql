{#-
    The traffic and search KPIs in the long fct_kpis format: one row per KPI x month x dimension
    value. Session KPIs have total and channel rows (every channel with any session); organic,
    visitor and keyword KPIs are total only. Every row from kpi_rows - formula, dimensions and grid
    rule from the catalog, measures from int_traffic_measures_by_dimension.
-#}
with

measures as (
    select * from {{ ref('int_traffic_measures_by_dimension') }}
),

final as (
    {{ kpi_rows('traffic', 'measures') }}
)

select * from final
