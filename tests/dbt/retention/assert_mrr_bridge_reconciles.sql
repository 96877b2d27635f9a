{#-
    The MRR bridge closes exactly, for every customer x month and every month x dimension value:
    start MRR + new + reactivation + expansion - contraction - churned = end MRR.
    MRR stays numeric up to this point, so the comparison is exact (no tolerance).
-#}
with

customer_months as (
    select * from {{ ref('int_customer_mrr_months_classified') }}
),

mrr_months as (
    select * from {{ ref('int_mrr_months_aggregated') }}
),

customer_breaks as (
    select
        'customer' as grain,
        lead_id as key_value,
        month,
        start_mrr,
        end_mrr,
        start_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr as bridged_end_mrr
    from customer_months
),

month_breaks as (
    select
        dimension as grain,
        dimension_value as key_value,
        month,
        start_mrr,
        end_mrr,
        start_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr as bridged_end_mrr
    from mrr_months
),

final as (
    select * from customer_breaks
    where bridged_end_mrr <> end_mrr
    union all
    select * from month_breaks
    where bridged_end_mrr <> end_mrr
)

select * from final
