{#-
    One row per customer (lead_id) x month in which the customer paid anything: subscription MRR at
    month end or on some day of the month, an order, or a won deal. Gross profit per the spec's
    convention: subscriptions month-end MRR x var gross_margin, orders revenue - cogs (cogs NULL:
    revenue x var gross_margin), won deals amount x var gross_margin (at closed_at).
    Won deals count only for customers who never had subscription MRR: a subscriber's won deal is
    the booking of the contract whose revenue its MRR already carries (counting both would count
    the same money twice).
-#}
{%- set gross_margin = 'cast(' ~ var('gross_margin') ~ ' as ' ~ double_type() ~ ')' -%}

with

customer_mrr_months as (
    select * from {{ ref('int_customer_mrr_months_classified') }}
),

orders as (
    select * from {{ ref('stg_marketing__orders') }}
),

deals as (
    select * from {{ ref('stg_marketing__deals') }}
),

subscribers as (
    select distinct lead_id
    from customer_mrr_months
    where first_mrr_on is not null
),

subscription_months as (
    select
        lead_id,
        month,
        cast(end_mrr as {{ double_type() }}) as end_mrr,
        cast(end_mrr as {{ double_type() }}) * {{ gross_margin }} as subscription_gross_profit,
        cast(0 as bigint) as orders,
        cast(0 as {{ double_type() }}) as order_revenue,
        cast(0 as {{ double_type() }}) as order_gross_profit,
        cast(0 as bigint) as won_deals,
        cast(0 as {{ double_type() }}) as deal_revenue,
        cast(0 as {{ double_type() }}) as deal_gross_profit
    from customer_mrr_months
    where end_mrr > 0 or is_paying_in_month
),

order_months as (
    select
        lead_id,
        cast({{ dbt.date_trunc('month', 'ordered_at') }} as date) as month,
        cast(0 as {{ double_type() }}) as end_mrr,
        cast(0 as {{ double_type() }}) as subscription_gross_profit,
        cast(count(*) as bigint) as orders,
        sum(cast(revenue as {{ double_type() }})) as order_revenue,
        sum(
            cast(revenue as {{ double_type() }})
            - coalesce(cast(cogs as {{ double_type() }}), cast(revenue as {{ double_type() }}) * {{ gross_margin }})
        ) as order_gross_profit,
        cast(0 as bigint) as won_deals,
        cast(0 as {{ double_type() }}) as deal_revenue,
        cast(0 as {{ double_type() }}) as deal_gross_profit
    from orders
    group by lead_id, cast({{ dbt.date_trunc('month', 'ordered_at') }} as date)
),

deal_months as (
    select
        deals.lead_id,
        cast({{ dbt.date_trunc('month', 'deals.closed_at') }} as date) as month,
        cast(0 as {{ double_type() }}) as end_mrr,
        cast(0 as {{ double_type() }}) as subscription_gross_profit,
        cast(0 as bigint) as orders,
        cast(0 as {{ double_type() }}) as order_revenue,
        cast(0 as {{ double_type() }}) as order_gross_profit,
        cast(count(*) as bigint) as won_deals,
        sum(cast(deals.amount as {{ double_type() }})) as deal_revenue,
        sum(cast(deals.amount as {{ double_type() }})) * {{ gross_margin }} as deal_gross_profit
    from deals
    left join subscribers on deals.lead_id = subscribers.lead_id
    where
        deals.is_won
        and deals.closed_at is not null
        and subscribers.lead_id is null
    group by deals.lead_id, cast({{ dbt.date_trunc('month', 'deals.closed_at') }} as date)
),

stacked as (
    select * from subscription_months
    union all
    select * from order_months
    union all
    select * from deal_months
),

aggregated as (
    select
        lead_id,
        month,
        sum(end_mrr) as end_mrr,
        sum(orders) as orders,
        sum(won_deals) as won_deals,
        sum(order_revenue) as order_revenue,
        sum(deal_revenue) as deal_revenue,
        sum(subscription_gross_profit) as subscription_gross_profit,
        sum(order_gross_profit) as order_gross_profit,
        sum(deal_gross_profit) as deal_gross_profit
    from stacked
    group by lead_id, month
),

final as (
    select
        *,
        subscription_gross_profit + order_gross_profit + deal_gross_profit as gross_profit
    from aggregated
)

select * from final
