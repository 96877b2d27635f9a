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

{%- set activity_columns = [
    ('leads', 'created_at'), ('leads', 'mql_at'), ('leads', 'sql_at'), ('leads', 'customer_at'),
    ('touchpoints', 'occurred_at'), ('costs', 'cost_date'),
    ('deals', 'created_at'), ('deals', 'closed_at'), ('orders', 'ordered_at'),
    ('subscriptions', 'valid_from'), ('subscriptions', 'valid_to'), ('keyword_rankings', 'ranked_on'),
] %}

activity_dates as (
    {%- for relation, column in activity_columns %}
        select
            cast(min({{ column }}) as date) as first_date,
            cast(max({{ column }}) as date) as last_date
        from {{ relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
        cast(row_number() over (order by months.month) as {{ dbt.type_bigint() }}) as month_number
    from months
    cross join data_range
    where months.month <= data_range.last_month
)

select * from final
