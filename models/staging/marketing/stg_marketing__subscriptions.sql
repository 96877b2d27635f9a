with

base as (
    select * from {{ ref('base_marketing__subscriptions') }}
),

clean as (
    select
        subscription_version_id,
        subscription_id,
        lead_id,
        plan,
        original_currency,
        mrr,
        original_mrr,
        fx_rate,
        valid_from,
        valid_to
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
