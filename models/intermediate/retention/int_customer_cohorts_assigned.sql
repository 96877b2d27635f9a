{#-
    One row per customer: every lead with customer_at, or with any paid activity (subscription MRR,
    an order, a won deal). The acquisition (cohort) month is the month of customer_at or, when the
    customer paid earlier or has no customer_at, the month of the first payment, so no gross profit
    lands before the cohort month. Channel = the lead's original_channel.
-#}
with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

revenue_months as (
    select * from {{ ref('int_customer_revenue_months_aggregated') }}
),

first_revenue_months as (
    select
        lead_id,
        min(month) as first_revenue_month
    from revenue_months
    group by lead_id
),

customers as (
    select
        leads.lead_id,
        leads.original_channel as channel,
        leads.original_campaign_id as campaign_id,
        cast({{ dbt.date_trunc('month', 'leads.customer_at') }} as date) as customer_month,
        first_revenue_months.first_revenue_month
    from leads
    left join first_revenue_months on leads.lead_id = first_revenue_months.lead_id
    where leads.customer_at is not null or first_revenue_months.lead_id is not null
),

final as (
    select
        lead_id,
        channel,
        campaign_id,
        customer_month,
        first_revenue_month,
        case
            when customer_month is null then first_revenue_month
            when first_revenue_month < customer_month then first_revenue_month
            else customer_month
        end as cohort_month,
        case
            when customer_month is null then 'first_payment'
            when first_revenue_month < customer_month then 'first_payment'
            else 'customer_at'
        end as cohort_basis
    from customers
)

select * from final
