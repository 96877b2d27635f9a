{#-
    One row per month of the data range with the order measures behind aov, purchase_frequency_12m
    and repeat_customer_rate. A customer is a lead_id; the month of an order is its ordered_at month.
-#}
with

orders as (
    select * from {{ ref('stg_marketing__orders') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

dated_orders as (
    select
        order_id,
        lead_id,
        revenue,
        cast({{ dbt.date_trunc('month', 'ordered_at') }} as date) as order_month,
        row_number() over (partition by lead_id order by ordered_at, order_id) as customer_order_number
    from orders
),

orders_by_month as (
    select
        order_month,
        count(*) as orders,
        sum(revenue) as order_revenue
    from dated_orders
    group by order_month
),

customer_order_months as (
    select
        lead_id,
        order_month,
        count(*) as orders
    from dated_orders
    group by lead_id, order_month
),

trailing_12_months as (
    -- each customer's order months x the months whose 12-month window (the month and the 11
    -- before it) contains them
    select
        months.month,
        sum(customer_order_months.orders) as orders_12m,
        count(distinct customer_order_months.lead_id) as ordering_customers_12m
    from months
    inner join customer_order_months
        on
            months.month >= customer_order_months.order_month
            and {{ dbt.dateadd('month', -12, 'months.month') }} < customer_order_months.order_month
    group by months.month
),

first_and_second_orders as (
    -- a customer counts as ordering from the month of their first order, as repeat from the month
    -- of their second
    select
        order_month,
        sum(case when customer_order_number = 1 then 1 else 0 end) as first_orders,
        sum(case when customer_order_number = 2 then 1 else 0 end) as second_orders
    from dated_orders
    where customer_order_number <= 2
    group by order_month
),

monthly as (
    select
        months.month,
        coalesce(orders_by_month.orders, 0) as orders,
        cast(coalesce(orders_by_month.order_revenue, 0) as {{ money_type() }}) as order_revenue,
        coalesce(trailing_12_months.orders_12m, 0) as orders_12m,
        coalesce(trailing_12_months.ordering_customers_12m, 0) as ordering_customers_12m,
        coalesce(first_and_second_orders.first_orders, 0) as first_orders,
        coalesce(first_and_second_orders.second_orders, 0) as second_orders
    from months
    left join orders_by_month on months.month = orders_by_month.order_month
    left join trailing_12_months on months.month = trailing_12_months.month
    left join first_and_second_orders on months.month = first_and_second_orders.order_month
),

final as (
    select
        month,
        'total' as dimension,
        'all' as dimension_value,
        orders,
        order_revenue,
        orders_12m,
        ordering_customers_12m,
        sum(second_orders) over (order by month rows between unbounded preceding and current row)
            as repeat_customers_to_date,
        sum(first_orders) over (order by month rows between unbounded preceding and current row)
            as ordering_customers_to_date
    from monthly
)

select * from final
