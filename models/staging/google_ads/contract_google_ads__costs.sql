{{ config(materialized='table', enabled=input_enabled('google_ads', ['costs'])) }}
{#-
    Google Ads spend as rows of the contract's `costs` table: one `media` row per campaign and day,
    summed over segments, cost_micros / 1e6 in the currency of the account (customer).
-#}

with

stats as (
    select * from {{ ref('stg_google_ads__campaign_stats') }}
),

campaigns as (
    select * from {{ ref('stg_google_ads__campaign_versions') }}
    where is_current_version
),

accounts as (
    select * from {{ ref('stg_google_ads__account_versions') }}
    where is_current_version
),

priced as (
    select
        stats.campaign_id,
        stats.stats_date,
        {{ google_ads_channel('campaigns.advertising_channel_type') }} as channel,
        accounts.currency,
        stats.cost_micros * 0.000001 as amount,
        stats.impressions,
        stats.clicks,
        stats.has_unreadable_cost,
        stats.landed_copies
    from stats
    left join campaigns on stats.campaign_id = campaigns.campaign_id
    left join accounts on stats.account_id = accounts.account_id
),

{{ ad_cost_rows('google_ads', 'campaign_stats', 'priced') }}

select * from cost_rows
