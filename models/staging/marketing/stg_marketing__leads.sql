with

base as (
    select * from {{ ref('base_marketing__leads') }}
),

clean as (
    select
        lead_id,
        original_campaign_id,
        email_hash,
        raw_original_channel,
        original_channel,
        is_channel_mapped,
        created_at,
        mql_at,
        sql_at,
        customer_at
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
