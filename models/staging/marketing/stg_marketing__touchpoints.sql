with

base as (
    select * from {{ ref('base_marketing__touchpoints') }}
),

clean as (
    select
        touchpoint_id,
        visitor_id,
        lead_id,
        campaign_id,
        raw_channel,
        channel,
        landing_page,
        pageviews,
        engaged_seconds,
        is_lead_creation,
        is_channel_mapped,
        occurred_at
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
