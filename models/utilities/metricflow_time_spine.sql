{#-
    The MetricFlow time spine: one row per day, from 12 months before the first month of the data
    range to 12 months after its last month, so month-over-month and year-over-year offsets of the
    semantic layer find their earlier periods. Configured in _utilities__models.yml (time_spine).
-#}
{{ config(materialized='table', schema='marts') }}

with

months_spined as (
    select * from {{ ref('int_months_spined') }}
),

data_range as (
    select
        cast({{ dbt.dateadd('month', -12, 'min(month)') }} as date) as first_day,
        cast({{ dbt.dateadd('month', 13, 'max(month)') }} as date) as day_after_last
    from months_spined
),

day_numbers as (
    {{ dbt.generate_series(40000) }}
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'data_range.first_day') }} as date)
            as date_day
    from day_numbers
    cross join data_range
),

final as (
    select days.date_day
    from days
    cross join data_range
    where days.date_day < data_range.day_after_last
)

select * from final
