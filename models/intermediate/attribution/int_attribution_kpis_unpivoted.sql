{#-
    The attribution KPI family in fct_kpis' long format (shared/spec/kpis.md "Attribution, ROI and
    return on spend"), every formula from the catalog via kpi_columns:
    - revenue: total;
    - attributed_revenue: channel (incl. `unattributed`) and campaign, one row per model;
    - roas, poas, romi: total rows (attribution_model NULL) use all revenue / gross profit; channel
      and campaign rows use each model's attributed amounts.
    Each KPI keeps the dimension values with activity for it: credit (attributed_revenue), credit
    or media cost (roas, poas), credit or marketing cost (romi). Ad spend without attributed
    revenue gives ROAS 0; no cost gives a NULL ratio, never a missing row.
-#}
with

returns as (
    select * from {{ ref('int_attribution_returns_aggregated') }}
),

total_returns as (
    select * from returns
    where dimension = 'total'
),

attributed_returns as (
    select * from returns
    where dimension in ('channel', 'campaign')
),

revenue_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('revenue', {'revenue': 'revenue'}) }}
    from total_returns
),

attributed_revenue_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('attributed_revenue', {'attributed_revenue': 'attributed_revenue'}) }}
    from attributed_returns
    where has_credit_activity
),

total_roas_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('roas', {'attributed_revenue': 'revenue', 'media_cost': 'media_cost'}) }}
    from total_returns
),

attributed_roas_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('roas', {'attributed_revenue': 'attributed_revenue', 'media_cost': 'media_cost'}) }}
    from attributed_returns
    where has_credit_activity or has_media_cost_activity
),

total_poas_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('poas', {'attributed_gross_profit': 'gross_profit', 'media_cost': 'media_cost'}) }}
    from total_returns
),

attributed_poas_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('poas', {'attributed_gross_profit': 'attributed_gross_profit', 'media_cost': 'media_cost'}) }}
    from attributed_returns
    where has_credit_activity or has_media_cost_activity
),

total_romi_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('romi', {'attributed_revenue': 'revenue', 'marketing_cost': 'marketing_cost'}) }}
    from total_returns
),

attributed_romi_kpi as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ kpi_columns('romi', {'attributed_revenue': 'attributed_revenue', 'marketing_cost': 'marketing_cost'}) }}
    from attributed_returns
    where has_credit_activity or has_marketing_cost_activity
),

unioned as (
    select * from revenue_kpi
    union all
    select * from attributed_revenue_kpi
    union all
    select * from total_roas_kpi
    union all
    select * from attributed_roas_kpi
    union all
    select * from total_poas_kpi
    union all
    select * from attributed_poas_kpi
    union all
    select * from total_romi_kpi
    union all
    select * from attributed_romi_kpi
),

final as (
    select
        cast(kpi as {{ dbt.type_string() }}) as kpi,
        cast(month as date) as month,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(attribution_model as {{ dbt.type_string() }}) as attribution_model,
        numerator,
        denominator,
        value
    from unioned
)

select * from final
