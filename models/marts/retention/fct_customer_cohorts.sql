{#-
    Observed lifetime value by acquisition cohort: one row per cohort month x channel x month since
    acquisition (0 = the cohort month, up to the last month of the data range), with the cohort
    size, how many of its customers are still subscribed / active, and the gross profit the cohort
    has earned so far, in total and per customer (the observed LTV curve to compare across channels).
-#}
with

customers as (
    select * from {{ ref('int_customer_cohorts_assigned') }}
),

revenue_months as (
    select * from {{ ref('int_customer_revenue_months_aggregated') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

cohorts as (
    select
        cohort_month,
        channel,
        count(*) as cohort_customers
    from customers
    group by cohort_month, channel
),

grid as (
    -- the cohort's months, from its acquisition month to the last month of the data range
    select
        cohorts.cohort_month,
        cohorts.channel,
        cohorts.cohort_customers,
        months.month,
        months.month_number - cohort_months.month_number as months_since_acquisition
    from cohorts
    inner join months as cohort_months on cohorts.cohort_month = cohort_months.month
    inner join months on cohort_months.month_number <= months.month_number
),

cohort_revenue as (
    select
        customers.cohort_month,
        customers.channel,
        revenue_months.month,
        sum(case when revenue_months.end_mrr > 0 then 1 else 0 end) as subscribed_customers,
        sum(case when revenue_months.orders > 0 then 1 else 0 end) as ordering_customers,
        sum(
            case
                when
                    revenue_months.end_mrr > 0
                    or revenue_months.orders > 0
                    or revenue_months.won_deals > 0
                    then 1
                else 0
            end
        ) as active_customers,
        sum(revenue_months.end_mrr) as end_mrr,
        sum(revenue_months.subscription_gross_profit) as subscription_gross_profit,
        sum(revenue_months.order_gross_profit) as order_gross_profit,
        sum(revenue_months.deal_gross_profit) as deal_gross_profit,
        sum(revenue_months.gross_profit) as gross_profit
    from revenue_months
    inner join customers on revenue_months.lead_id = customers.lead_id
    group by customers.cohort_month, customers.channel, revenue_months.month
),

filled as (
    select
        grid.cohort_month,
        grid.channel,
        grid.month,
        grid.months_since_acquisition,
        grid.cohort_customers,
        coalesce(cohort_revenue.subscribed_customers, 0) as subscribed_customers,
        coalesce(cohort_revenue.ordering_customers, 0) as ordering_customers,
        coalesce(cohort_revenue.active_customers, 0) as active_customers,
        coalesce(cohort_revenue.end_mrr, 0) as end_mrr,
        coalesce(cohort_revenue.subscription_gross_profit, 0) as subscription_gross_profit,
        coalesce(cohort_revenue.order_gross_profit, 0) as order_gross_profit,
        coalesce(cohort_revenue.deal_gross_profit, 0) as deal_gross_profit,
        coalesce(cohort_revenue.gross_profit, 0) as gross_profit
    from grid
    left join cohort_revenue
        on
            grid.cohort_month = cohort_revenue.cohort_month
            and grid.channel = cohort_revenue.channel
            and grid.month = cohort_revenue.month
),

cumulated as (
    select
        *,
        sum(gross_profit) over (
            partition by cohort_month, channel
            order by month rows between unbounded preceding and current row
        ) as cumulative_gross_profit
    from filled
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(month as date) as month,
        cast(months_since_acquisition as integer) as months_since_acquisition,
        cast(cohort_customers as integer) as cohort_customers,
        cast(subscribed_customers as integer) as subscribed_customers,
        cast(ordering_customers as integer) as ordering_customers,
        cast(active_customers as integer) as active_customers,
        cast({{ safe_divide('subscribed_customers', 'cohort_customers') }} as {{ double_type() }})
            as subscription_retention_rate,
        cast({{ safe_divide('active_customers', 'cohort_customers') }} as {{ double_type() }}) as active_rate,
        cast(end_mrr as {{ double_type() }}) as end_mrr,
        cast(subscription_gross_profit as {{ double_type() }}) as subscription_gross_profit,
        cast(order_gross_profit as {{ double_type() }}) as order_gross_profit,
        cast(deal_gross_profit as {{ double_type() }}) as deal_gross_profit,
        cast(gross_profit as {{ double_type() }}) as gross_profit,
        cast(cumulative_gross_profit as {{ double_type() }}) as cumulative_gross_profit,
        cast({{ safe_divide('cumulative_gross_profit', 'cohort_customers') }} as {{ double_type() }})
            as cumulative_gross_profit_per_customer
    from cumulated
)

select * from final
