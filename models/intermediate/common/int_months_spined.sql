{#-
    Every calendar month of the data range: from the earliest to the latest month of any clean
    activity date (lead stage dates, touchpoints, costs, deal created/closed, orders, subscription
    validity (valid_from and the exclusive valid_to, the day a version stops counting), keyword
    rankings). The grid of fct_kpis is these months x each KPI's dimension values.
-#}
with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

costs as (
    select * from {{ ref('stg_marketing__costs') }}
),

deals as (
    select * from {{ ref('stg_marketing__deals') }}
),

orders as (
    select * from {{ ref('stg_marketing__orders') }}
),

subscriptions as (
    select * from {{ ref('stg_marketing__subscriptions') }}
),

keyword_rankings as (
    select * from {{ ref('stg_marketing__keyword_rankings') }}
),

activity_dates as (
    select cast(min(created_at) as date) as first_date, cast(max(created_at) as date) as last_date from leads
    union all
    select cast(min(mql_at) as date), cast(max(mql_at) as date) from leads
    union all
    select cast(min(sql_at) as date), cast(max(sql_at) as date) from leads
    union all
    select cast(min(customer_at) as date), cast(max(customer_at) as date) from leads
    union all
    select cast(min(occurred_at) as date), cast(max(occurred_at) as date) from touchpoints
    union all
    select min(cost_date), max(cost_date) from costs
    union all
    select cast(min(created_at) as date), cast(max(created_at) as date) from deals
    union all
    select cast(min(closed_at) as date), cast(max(closed_at) as date) from deals
    union all
    select cast(min(ordered_at) as date), cast(max(ordered_at) as date) from orders
    union all
    select min(valid_from), max(valid_from) from subscriptions
    union all
    select min(valid_to), max(valid_to) from subscriptions
    union all
    select min(ranked_on), max(ranked_on) from keyword_rankings
),

data_range as (
    select
        cast({{ dbt.date_trunc('month', 'min(first_date)') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'max(last_date)') }} as date) as last_month
    from activity_dates
),

month_numbers as (
    {{ dbt.generate_series(1200) }}
),

months as (
    select
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'data_range.first_month') }} as date)
            as month
    from month_numbers
    cross join data_range
),

final as (
    select
        months.month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.month')) }} as date) as month_end_date,
        row_number() over (order by months.month) as month_number
    from months
    cross join data_range
    where months.month <= data_range.last_month
)

select * from final
