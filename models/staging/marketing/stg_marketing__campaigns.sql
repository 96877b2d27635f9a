with

base as (
    select * from {{ ref('base_marketing__campaigns') }}
),

clean as (
    select
        campaign_id,
        campaign_name,
        raw_channel,
        channel,
        is_channel_mapped,
        started_on,
        ended_on
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
