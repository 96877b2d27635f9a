{#- The month spine of the data range (int_months_spined) with calendar attributes for BI tools. -#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

calendar as (
    select
        month,
        month_end_date,
        month_number,
        cast(extract(year from month) as integer) as calendar_year,
        cast(extract(quarter from month) as integer) as calendar_quarter,
        cast(extract(month from month) as integer) as month_of_year,
        cast(extract(day from month_end_date) as integer) as days_in_month
    from months
),

final as (
    select
        cast(month as date) as month,
        cast(month_end_date as date) as month_end_date,
        cast(month_number as integer) as month_number,
        calendar_year,
        calendar_quarter,
        month_of_year,
        days_in_month,
        cast(
            cast(calendar_year as {{ dbt.type_string() }})
            || '-'
            || lpad(cast(month_of_year as {{ dbt.type_string() }}), 2, '0')
            as {{ dbt.type_string() }}
        ) as month_label
    from calendar
)

select * from final
