{#-
    Each month starts where the previous one ended: month-start MRR (MRR on the last day of the
    previous month) equals the previous month's month-end MRR, per dimension value; the first month
    of the data range starts at 0 (no subscription is valid before the range). Same for the number
    of paying customers.
-#}
with

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

chained as (
    select
        dimension,
        dimension_value,
        month,
        start_mrr,
        start_customers,
        coalesce(lag(end_mrr) over (partition by dimension, dimension_value order by month), 0)
            as previous_end_mrr,
        coalesce(lag(active_customers) over (partition by dimension, dimension_value order by month), 0)
            as previous_active_customers
    from mrr_months
),

final as (
    select * from chained
    where start_mrr <> previous_end_mrr or start_customers <> previous_active_customers
)

select * from final
