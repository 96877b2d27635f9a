{#-
    The retention KPI rows of fct_kpis: MRR, the MRR movements, churn, NRR, ARPA, LTV, LTV/CAC and
    CAC payback, one row per month of the data range (dimension total only). Values come from the
    catalog's formulas through kpi_columns(); the inputs are the monthly measures of
    int_mrr_months_aggregated (CAC: the month's total CAC row of the acquisition family).
-#}
{%- set gross_margin = 'cast(' ~ var('gross_margin') ~ ' as double precision)' -%}
{%- set kpis = [
    ('mrr', {'end_mrr': 'end_mrr'}),
    ('arr', {'end_mrr': 'end_mrr'}),
    ('active_customers', {'active_customers': 'active_customers'}),
    ('new_mrr', {'new_mrr': 'new_mrr'}),
    ('reactivation_mrr', {'reactivation_mrr': 'reactivation_mrr'}),
    ('expansion_mrr', {'expansion_mrr': 'expansion_mrr'}),
    ('contraction_mrr', {'contraction_mrr': 'contraction_mrr'}),
    ('churned_mrr', {'churned_mrr': 'churned_mrr'}),
    ('logo_churn_rate', {'churned_customers': 'churned_customers', 'start_customers': 'start_customers'}),
    ('annual_logo_churn_rate', {'logo_churn_rate': 'logo_churn_rate'}),
    ('gross_mrr_churn_rate', {
        'churned_mrr': 'churned_mrr', 'contraction_mrr': 'contraction_mrr', 'start_mrr': 'start_mrr'}),
    ('net_revenue_retention', {
        'start_mrr': 'start_mrr', 'expansion_mrr': 'expansion_mrr',
        'contraction_mrr': 'contraction_mrr', 'churned_mrr': 'churned_mrr'}),
    ('arpa', {'end_mrr': 'end_mrr', 'active_customers': 'active_customers'}),
    ('ltv', {'arpa': 'arpa', 'gross_margin': gross_margin, 'mean_logo_churn_rate': 'mean_logo_churn_rate'}),
    ('ltv_cac_ratio', {'ltv': 'ltv', 'cac': 'cac'}),
    ('cac_payback_months', {'cac': 'cac', 'arpa': 'arpa', 'gross_margin': gross_margin}),
] -%}

with

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

monthly as (
    select * from mrr_months
    where dimension = 'total'
),

unpivoted as (
    {% for kpi, inputs in kpis %}
        select
            month,
            dimension,
            dimension_value,
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
