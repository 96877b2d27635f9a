{#-
    fct_kpis carries the retention KPIs of every month of the data range exactly once (dimension
    total), and its MRR rows equal the bridge of int_mrr_months_aggregated.
-#}
with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

retention_rows as (
    select
        month,
        count(*) as kpi_rows,
        count(distinct kpi) as distinct_kpis,
        max(case when kpi = 'mrr' then value end) as mrr_value,
        max(case when dimension <> 'total' then 1 else 0 end) as has_other_dimension
    from kpis
    where
        kpi in (
            'mrr', 'arr', 'active_customers', 'new_mrr', 'reactivation_mrr', 'expansion_mrr',
            'contraction_mrr', 'churned_mrr', 'logo_churn_rate', 'annual_logo_churn_rate',
            'gross_mrr_churn_rate', 'net_revenue_retention', 'arpa', 'ltv', 'ltv_cac_ratio',
            'cac_payback_months'
        )
    group by month
),

final as (
    select
        months.month,
        retention_rows.kpi_rows,
        retention_rows.mrr_value,
        mrr_months.end_mrr
    from months
    left join retention_rows on months.month = retention_rows.month
    left join mrr_months
        on
            months.month = mrr_months.month
            and mrr_months.dimension = 'total'
    where
        retention_rows.kpi_rows is null
        or retention_rows.kpi_rows <> 16
        or retention_rows.distinct_kpis <> 16
        or retention_rows.has_other_dimension = 1
        or abs(retention_rows.mrr_value - cast(mrr_months.end_mrr as {{ double_type() }})) > 0.000001
)

select * from final
