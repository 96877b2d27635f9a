{#-
    The monthly MRR bridge and retention KPIs: one row per month of the data range. The KPI columns
    are computed by kpi_value from the same measures (int_mrr_months_aggregated, total rows) and
    catalog formulas as the values of fct_kpis, so the two never disagree.
-#}
{%- set kpis = [
    'logo_churn_rate', 'annual_logo_churn_rate', 'gross_mrr_churn_rate', 'net_revenue_retention',
    'arpa', 'ltv', 'ltv_cac_ratio', 'cac_payback_months',
] -%}

with

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

totals as (
    select * from mrr_months
    where dimension = 'total'
),

kpi_values as (
    select
        {% for kpi in kpis %}
            {{ kpi_value(kpi) }} as {{ kpi }},
        {% endfor %}
        month
    from totals
),

final as (
    select
        cast(totals.month as date) as month,
        cast(totals.start_mrr as {{ double_type() }}) as start_mrr,
        cast(totals.new_mrr as {{ double_type() }}) as new_mrr,
        cast(totals.reactivation_mrr as {{ double_type() }}) as reactivation_mrr,
        cast(totals.expansion_mrr as {{ double_type() }}) as expansion_mrr,
        cast(totals.contraction_mrr as {{ double_type() }}) as contraction_mrr,
        cast(totals.churned_mrr as {{ double_type() }}) as churned_mrr,
        cast(totals.end_mrr as {{ double_type() }}) as mrr,
        cast(12 * totals.end_mrr as {{ double_type() }}) as arr,
        cast(totals.start_customers as integer) as start_customers,
        cast(totals.active_customers as integer) as active_customers,
        cast(totals.new_mrr_customers as integer) as new_mrr_customers,
        cast(totals.reactivated_customers as integer) as reactivated_customers,
        cast(totals.expanded_customers as integer) as expanded_customers,
        cast(totals.contracted_customers as integer) as contracted_customers,
        cast(totals.churned_customers as integer) as churned_customers,
        {% for kpi in kpis %}
            cast(kpi_values.{{ kpi }} as {{ double_type() }}) as {{ kpi }},
        {% endfor %}
        cast(totals.mean_logo_churn_rate as {{ double_type() }}) as mean_logo_churn_rate,
        cast(totals.months_in_churn_mean as integer) as months_in_churn_mean,
        cast(totals.cac as {{ double_type() }}) as cac
    from totals
    left join kpi_values on totals.month = kpi_values.month
)

select * from final
