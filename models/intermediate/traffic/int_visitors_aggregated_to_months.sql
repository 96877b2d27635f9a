{#-
    Visitors per month: raw cookie ids (touchpoints.visitor_id, before identity stitching) with at
    least one session in the month, and those with two or more. Every month of the data range.
-#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

visitor_months as (
    select
        visitor_id,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        count(*) as sessions
    from touchpoints
    group by visitor_id, cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)
),

aggregated as (
    select
        month,
        count(*) as visitors,
        sum(case when sessions >= 2 then 1 else 0 end) as repeat_visitors
    from visitor_months
    group by month
),

final as (
    select
        months.month,
        cast(coalesce(aggregated.visitors, 0) as {{ dbt.type_bigint() }}) as visitors,
        cast(coalesce(aggregated.repeat_visitors, 0) as {{ dbt.type_bigint() }}) as repeat_visitors
    from months
    left join aggregated
        on months.month = aggregated.month
)

select * from final
