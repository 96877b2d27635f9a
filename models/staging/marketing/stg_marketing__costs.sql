with

base as (
    select * from {{ ref('base_marketing__costs') }}
),

clean as (
    select
        cost_line_id,
        campaign_id,
        raw_channel,
        channel,
        cost_category,
        original_currency,
        amount,
        original_amount,
        fx_rate,
        impressions,
        clicks,
        is_channel_mapped,
        cost_date
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
