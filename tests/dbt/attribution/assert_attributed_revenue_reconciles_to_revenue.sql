-- Accounting identity: for every attribution model and month, attributed revenue summed over
-- channels (including `unattributed`) in fct_kpis equals the month's revenue, and the credited
-- gross profit equals the conversions' gross profit. Tolerance 1e-6 (well below a cent).
with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

models as (
    {{ attribution_models_values() }}
),

revenue as (
    select
        month,
        value as revenue
    from kpis
    where kpi = 'revenue' and dimension = 'total'
),

attributed as (
    select
        month,
        attribution_model,
        sum(value) as attributed_revenue
    from kpis
    where kpi = 'attributed_revenue' and dimension = 'channel'
    group by month, attribution_model
),

revenue_checks as (
    select
        revenue.month,
        models.attribution_model,
        revenue.revenue as expected_amount,
        coalesce(attributed.attributed_revenue, 0) as actual_amount,
        'attributed revenue' as measure
    from revenue
    cross join models
    left join attributed
        on
            revenue.month = attributed.month
            and models.attribution_model = attributed.attribution_model
),

gross_profit as (
    select
        conversion_month as month,
        sum(cast(gross_profit as {{ double_type() }})) as gross_profit
    from conversions
    group by conversion_month
),

credited_gross_profit as (
    select
        conversion_month as month,
        attribution_model,
        sum(attributed_gross_profit) as attributed_gross_profit
    from credits
    group by conversion_month, attribution_model
),

gross_profit_checks as (
    select
        gross_profit.month,
        models.attribution_model,
        gross_profit.gross_profit as expected_amount,
        coalesce(credited_gross_profit.attributed_gross_profit, 0) as actual_amount,
        'attributed gross profit' as measure
    from gross_profit
    cross join models
    left join credited_gross_profit
        on
            gross_profit.month = credited_gross_profit.month
            and models.attribution_model = credited_gross_profit.attribution_model
),

checks as (
    select * from revenue_checks
    union all
    select * from gross_profit_checks
)

select * from checks
where abs(expected_amount - actual_amount) > 1e-6
