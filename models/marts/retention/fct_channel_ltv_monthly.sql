{#-
    LTV, LTV/CAC and CAC payback by acquisition channel: one row per month of the data range x
    channel (the lead's original_channel) that has subscription MRR or a channel CAC in any month.
    Same formulas as the total KPIs, over the channel's own customers (their ARPA and their mean
    logo churn) and the channel's CAC of the month (acquisition family, dimension channel).
-#}
with

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

channels as (
    select * from mrr_months
    where dimension = 'channel'
),

final as (
    select
        cast(month as date) as month,
        cast(dimension_value as {{ dbt.type_string() }}) as channel,
        cast(start_mrr as {{ double_type() }}) as start_mrr,
        cast(end_mrr as {{ double_type() }}) as mrr,
        cast(start_customers as integer) as start_customers,
        cast(active_customers as integer) as active_customers,
        cast(churned_customers as integer) as churned_customers,
        cast(arpa as {{ double_type() }}) as arpa,
        cast(logo_churn_rate as {{ double_type() }}) as logo_churn_rate,
        cast(mean_logo_churn_rate as {{ double_type() }}) as mean_logo_churn_rate,
        cast(months_in_churn_mean as integer) as months_in_churn_mean,
        cast(ltv as {{ double_type() }}) as ltv,
        cast(cac as {{ double_type() }}) as cac,
        cast(ltv_cac_ratio as {{ double_type() }}) as ltv_cac_ratio,
        cast(cac_payback_months as {{ double_type() }}) as cac_payback_months
    from channels
)

select * from final
