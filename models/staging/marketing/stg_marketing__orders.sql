with

base as (
    select * from {{ ref('base_marketing__orders') }}
),

clean as (
    select
        order_id,
        lead_id,
        original_currency,
        revenue,
        cogs,
        original_revenue,
        original_cogs,
        fx_rate,
        ordered_at
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
