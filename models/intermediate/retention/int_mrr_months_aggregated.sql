{#-
    One row per month of the data range x dimension: `total` (dimension_value `all`) and `channel`
    (the customers' lead original_channel; every channel with subscription MRR or a channel CAC row
    in any month). Each row holds the MRR bridge (start MRR, the movements, end MRR), the customer
    counts behind the churn rates, and the LTV inputs: ARPA, the monthly logo churn rate, its mean
    over the month and the previous var ltv_churn_months - 1 months (months of the data range with a
    rate only), and the CAC of the same month and dimension value, computed by the catalog's
    formula from the acquisition measures (int_acquisition_measures_by_dimension; a channel has a
    CAC where the cac KPI has rows). This is the retention family's wide measures model: every
    formula is a generated kpi_* macro of the catalog; kpi_rows turns the total rows into the
    retention KPI rows of fct_kpis, the channel rows feed the per-channel LTV mart.
-#}
{%- set ltv_churn_months = var('ltv_churn_months') | int -%}
{%- if ltv_churn_months < 1 -%}
    {{ exceptions.raise_compiler_error("var ltv_churn_months must be 1 or more, got " ~ ltv_churn_months) }}
{%- endif -%}
{%- set gross_margin = 'cast(' ~ var('gross_margin') ~ ' as ' ~ double_type() ~ ')' -%}

with

customer_months as (
    select * from {{ ref('int_customer_mrr_months_classified') }}
),

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

acquisition_measures as (
    select * from {{ ref('int_acquisition_measures_by_dimension') }}
),

customer_months_by_dimension as (
    select
        'total' as dimension,
        'all' as dimension_value,
        customer_months.*
    from customer_months
    union all
    select
        'channel' as dimension,
        coalesce(leads.original_channel, 'other') as dimension_value,
        customer_months.*
    from customer_months
    left join leads on customer_months.lead_id = leads.lead_id
),

bridge as (
    select
        month,
        dimension,
        dimension_value,
        sum(start_mrr) as start_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(end_mrr) as end_mrr,
        sum(case when is_active_at_start then 1 else 0 end) as start_customers,
        sum(case when is_active_at_end then 1 else 0 end) as active_customers,
        sum(case when movement = 'new' then 1 else 0 end) as new_mrr_customers,
        sum(case when movement = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement = 'expansion' then 1 else 0 end) as expanded_customers,
        sum(case when movement = 'contraction' then 1 else 0 end) as contracted_customers,
        sum(case when movement = 'churned' then 1 else 0 end) as churned_customers
    from customer_months_by_dimension
    group by month, dimension, dimension_value
),

acquisition_cac as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_value('cac') }} as cac,
        {{ kpi_has_activity('cac') }} as has_cac
    from acquisition_measures
    where dimension in ('total', 'channel')
),

-- the month's CAC where the cac KPI has a row (the total always; a channel with activity)
cac as (
    select
        month,
        dimension,
        dimension_value,
        cac
    from acquisition_cac
    where dimension = 'total' or has_cac
),

dimension_values as (
    select
        'total' as dimension,
        'all' as dimension_value
    union
    select
        dimension,
        dimension_value
    from bridge
    union
    select
        dimension,
        dimension_value
    from cac
),

grid as (
    select
        months.month,
        dimension_values.dimension,
        dimension_values.dimension_value
    from months
    cross join dimension_values
),

monthly as (
    -- every month x dimension value, 0 where no customer had MRR
    select
        grid.month,
        grid.dimension,
        grid.dimension_value,
        cac.cac,
        cast(coalesce(bridge.start_mrr, 0) as {{ money_type() }}) as start_mrr,
        cast(coalesce(bridge.new_mrr, 0) as {{ money_type() }}) as new_mrr,
        cast(coalesce(bridge.reactivation_mrr, 0) as {{ money_type() }}) as reactivation_mrr,
        cast(coalesce(bridge.expansion_mrr, 0) as {{ money_type() }}) as expansion_mrr,
        cast(coalesce(bridge.contraction_mrr, 0) as {{ money_type() }}) as contraction_mrr,
        cast(coalesce(bridge.churned_mrr, 0) as {{ money_type() }}) as churned_mrr,
        cast(coalesce(bridge.end_mrr, 0) as {{ money_type() }}) as end_mrr,
        coalesce(bridge.start_customers, 0) as start_customers,
        coalesce(bridge.active_customers, 0) as active_customers,
        coalesce(bridge.new_mrr_customers, 0) as new_mrr_customers,
        coalesce(bridge.reactivated_customers, 0) as reactivated_customers,
        coalesce(bridge.expanded_customers, 0) as expanded_customers,
        coalesce(bridge.contracted_customers, 0) as contracted_customers,
        coalesce(bridge.churned_customers, 0) as churned_customers
    from grid
    left join bridge
        on
            grid.month = bridge.month
            and grid.dimension = bridge.dimension
            and grid.dimension_value = bridge.dimension_value
    left join cac
        on
            grid.month = cac.month
            and grid.dimension = cac.dimension
            and grid.dimension_value = cac.dimension_value
),

with_rates as (
    select
        *,
        {{ kpi_logo_churn_rate('churned_customers', 'start_customers') }} as logo_churn_rate,
        {{ kpi_arpa('end_mrr', 'active_customers') }} as arpa
    from monthly
),

with_churn_mean as (
    select
        *,
        -- avg and count skip the months whose rate is NULL (no customer at month start)
        avg(logo_churn_rate) over (
            partition by dimension, dimension_value
            order by month rows between {{ ltv_churn_months - 1 }} preceding and current row
        ) as mean_logo_churn_rate,
        count(logo_churn_rate) over (
            partition by dimension, dimension_value
            order by month rows between {{ ltv_churn_months - 1 }} preceding and current row
        ) as months_in_churn_mean
    from with_rates
),

with_ltv as (
    select
        *,
        {{ kpi_ltv('arpa', gross_margin, 'mean_logo_churn_rate') }} as ltv
    from with_churn_mean
),

final as (
    select
        *,
        {{ gross_margin }} as gross_margin,
        {{ kpi_ltv_cac_ratio('ltv', 'cac') }} as ltv_cac_ratio,
        {{ kpi_cac_payback_months('cac', 'arpa', gross_margin) }} as cac_payback_months
    from with_ltv
)

select * from final
