with

base as (
    select * from {{ ref('base_marketing__deals') }}
),

clean as (
    select
        deal_id,
        lead_id,
        stage,
        original_currency,
        amount,
        original_amount,
        fx_rate,
        is_won,
        created_at,
        closed_at
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
