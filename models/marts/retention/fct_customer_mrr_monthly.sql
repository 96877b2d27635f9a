{#-
    The customer x month MRR fact: one row per customer (lead_id) x month in which the customer had
    a subscription version valid on the last day of the previous month or on some day of the month,
    with month-start and month-end MRR and the month's MRR movement.
-#}
with

customer_months as (
    select * from {{ ref('int_customer_mrr_months_classified') }}
),

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

final as (
    select
        cast(customer_months.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(customer_months.month as date) as month,
        cast(leads.original_channel as {{ dbt.type_string() }}) as channel,
        cast(customer_months.movement as {{ dbt.type_string() }}) as movement,
        cast(customer_months.start_mrr as {{ double_type() }}) as start_mrr,
        cast(customer_months.end_mrr as {{ double_type() }}) as end_mrr,
        cast(customer_months.new_mrr as {{ double_type() }}) as new_mrr,
        cast(customer_months.reactivation_mrr as {{ double_type() }}) as reactivation_mrr,
        cast(customer_months.expansion_mrr as {{ double_type() }}) as expansion_mrr,
        cast(customer_months.contraction_mrr as {{ double_type() }}) as contraction_mrr,
        cast(customer_months.churned_mrr as {{ double_type() }}) as churned_mrr,
        cast(customer_months.net_change_mrr as {{ double_type() }}) as net_change_mrr,
        customer_months.is_active_at_start,
        customer_months.is_active_at_end,
        customer_months.is_paying_in_month,
        cast(customer_months.first_mrr_on as date) as first_mrr_on
    from customer_months
    left join leads on customer_months.lead_id = leads.lead_id
)

select * from final
