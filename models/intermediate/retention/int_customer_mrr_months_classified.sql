{#-
    One row per customer (lead_id) x month in which any of the customer's subscription versions is
    valid on the last day of the previous month or on some day of the month.

    MRR on a day = sum of the mrr of the versions valid that day (valid_from <= day < valid_to,
    valid_to NULL = still valid). start_mrr = MRR on the last day of the previous month, end_mrr =
    MRR on the last day of the month. All subscriptions of a customer are summed, so a plan change
    (within one subscription or across two) is expansion or contraction, never churn plus new.

    Versions are joined to the month spine by date range (never customer x day), so the row count
    is linear in the months each version spans. MRR stays numeric (no float) so the MRR bridge
    start + new + reactivation + expansion - contraction - churned = end holds exactly.
-#}
with

subscriptions as (
    select * from {{ ref('stg_marketing__subscriptions') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

versions as (
    -- a version with valid_to = valid_from is valid on no day
    select
        lead_id,
        mrr,
        valid_from,
        valid_to
    from subscriptions
    where valid_to is null or valid_to > valid_from
),

first_mrr_days as (
    -- the first day on which the customer had MRR above 0 (seen by a month end or not)
    select
        lead_id,
        min(valid_from) as first_mrr_on
    from versions
    where mrr > 0
    group by lead_id
),

version_months as (
    select
        versions.lead_id,
        months.month,
        case
            when
                versions.valid_from < months.month
                and (versions.valid_to is null or versions.valid_to >= months.month)
                then versions.mrr
            else 0
        end as start_mrr,
        case
            when versions.valid_to is null or versions.valid_to > months.month_end_date
                then versions.mrr
            else 0
        end as end_mrr,
        case
            when versions.mrr > 0 and (versions.valid_to is null or versions.valid_to > months.month)
                then 1
            else 0
        end as is_paying_in_month
    from versions
    inner join months
        -- valid on some day from the last day of the previous month to the last day of the month
        on
            versions.valid_from <= months.month_end_date
            and (versions.valid_to is null or versions.valid_to >= months.month)
),

customer_months as (
    select
        lead_id,
        month,
        sum(start_mrr) as start_mrr,
        sum(end_mrr) as end_mrr,
        max(is_paying_in_month) as is_paying_in_month
    from version_months
    group by lead_id, month
),

classified as (
    select
        customer_months.lead_id,
        customer_months.month,
        customer_months.start_mrr,
        customer_months.end_mrr,
        first_mrr_days.first_mrr_on,
        customer_months.is_paying_in_month = 1 as is_paying_in_month,
        case
            when customer_months.start_mrr > 0 and customer_months.end_mrr > customer_months.start_mrr
                then 'expansion'
            when customer_months.start_mrr > 0 and customer_months.end_mrr = customer_months.start_mrr
                then 'unchanged'
            when customer_months.start_mrr > 0 and customer_months.end_mrr > 0
                then 'contraction'
            when customer_months.start_mrr > 0
                then 'churned'
            when customer_months.end_mrr > 0 and first_mrr_days.first_mrr_on < customer_months.month
                then 'reactivation'
            when customer_months.end_mrr > 0
                then 'new'
            else 'none'
        end as movement
    from customer_months
    left join first_mrr_days on customer_months.lead_id = first_mrr_days.lead_id
),

final as (
    -- money as the staging money type (numeric, not float): the MRR bridge closes exactly
    select
        lead_id,
        month,
        movement,
        cast(start_mrr as {{ money_type() }}) as start_mrr,
        cast(end_mrr as {{ money_type() }}) as end_mrr,
        is_paying_in_month,
        first_mrr_on,
        cast(case when movement = 'new' then end_mrr else 0 end as {{ money_type() }}) as new_mrr,
        cast(case when movement = 'reactivation' then end_mrr else 0 end as {{ money_type() }})
            as reactivation_mrr,
        cast(case when movement = 'expansion' then end_mrr - start_mrr else 0 end as {{ money_type() }})
            as expansion_mrr,
        cast(case when movement = 'contraction' then start_mrr - end_mrr else 0 end as {{ money_type() }})
            as contraction_mrr,
        cast(case when movement = 'churned' then start_mrr else 0 end as {{ money_type() }}) as churned_mrr,
        cast(end_mrr - start_mrr as {{ money_type() }}) as net_change_mrr,
        start_mrr > 0 as is_active_at_start,
        end_mrr > 0 as is_active_at_end
    from classified
)

select * from final
